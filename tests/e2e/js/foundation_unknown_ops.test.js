// The AWS SDK for JavaScript v3 gets well-formed AWS errors, surfaced as the right error
// name, for operations nothing in Sluice implements: Step Functions and SQS over AWS JSON
// (UnknownOperationException), SNS over AWS Query (InvalidAction).
//
// Services land over time, so each call is renamed on its way out by a middleware (same
// request, an operation name no service has); the SDK still parses the answer as the
// real operation's. Where a service is not served yet, the plain call is checked too.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const { SFNClient, ListStateMachinesCommand } = require('@aws-sdk/client-sfn');
const { SNSClient, ListTopicsCommand } = require('@aws-sdk/client-sns');
const { SQSClient, ListQueuesCommand } = require('@aws-sdk/client-sqs');
const { startSluice, clientConfig } = require('./harness');

let server;
let services;

function getJson(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

// Renames the operation in the serialized request: the X-Amz-Target header (AWS JSON)
// or the Action form parameter (AWS Query, kept the same length so Content-Length holds).
function renameOperation(client, from, to) {
  assert.strictEqual(from.length, to.length);
  client.middlewareStack.add((next) => async (args) => {
    const req = args.request;
    for (const name of Object.keys(req.headers)) {
      if (name.toLowerCase() === 'x-amz-target') {
        req.headers[name] = req.headers[name].replace(`.${from}`, `.${to}`);
      }
    }
    if (typeof req.body === 'string') req.body = req.body.replace(`Action=${from}`, `Action=${to}`);
    return next(args);
  }, { step: 'build', name: 'renameOperation' });
  return client;
}

async function expectAwsError(promise, name, status = 400) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected ${name}, the call succeeded`);
  assert.strictEqual(error.name, name, `${error.name}: ${error.message}`);
  assert.strictEqual(error.$fault, status >= 500 ? 'server' : 'client');
  assert.strictEqual(error.$metadata.httpStatusCode, status);
  assert.ok(error.$metadata.requestId, 'the request id reaches the SDK');
  assert.ok(error.message && error.message !== 'UnknownError', error.message);
  return error;
}

before(async () => {
  server = await startSluice();
  services = (await getJson(`${server.endpoint}/_sluice/health`)).services;
});

after(async () => {
  assert.strictEqual(await server.stop(), 0);
});

test('Step Functions over AWS JSON: UnknownOperationException', async () => {
  if (!('states' in services) && !('stepfunctions' in services)) {
    const plain = new SFNClient(clientConfig(server.endpoint));
    await expectAwsError(plain.send(new ListStateMachinesCommand({})), 'UnknownOperationException');
  }
  const sfn = renameOperation(new SFNClient(clientConfig(server.endpoint)),
    'ListStateMachines', 'ListStateMachinez');
  const e = await expectAwsError(sfn.send(new ListStateMachinesCommand({})),
    'UnknownOperationException');
  assert.match(e.message, /ListStateMachinez/);
});

test('SNS over AWS Query: InvalidAction', async () => {
  if (!('sns' in services)) {
    const plain = new SNSClient(clientConfig(server.endpoint));
    await expectAwsError(plain.send(new ListTopicsCommand({})), 'InvalidAction');
  }
  const sns = renameOperation(new SNSClient(clientConfig(server.endpoint)),
    'ListTopics', 'ListTopicz');
  const e = await expectAwsError(sns.send(new ListTopicsCommand({})), 'InvalidAction');
  assert.match(e.message, /ListTopicz/);
});

test('SQS over AWS JSON: UnknownOperationException, query-compatible', async () => {
  const sqs = renameOperation(new SQSClient(clientConfig(server.endpoint)),
    'ListQueues', 'ListQueuez');
  await expectAwsError(sqs.send(new ListQueuesCommand({})), 'UnknownOperationException');
});
