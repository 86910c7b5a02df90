// --auth sigv4 through the AWS SDK for JavaScript v3: a configured key passes (and acts in
// its account), a wrong secret and an unknown key fail with AWS's codes.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const { SQSClient, CreateQueueCommand, ListQueuesCommand } = require('@aws-sdk/client-sqs');
const { SNSClient, CreateTopicCommand, ListTopicsCommand } = require('@aws-sdk/client-sns');
const { SFNClient, ListStateMachinesCommand } = require('@aws-sdk/client-sfn');
const { startSluice } = require('./harness');

const KEY = { accessKeyId: 'AKIDJSTEST000000001', secretAccessKey: 'js/secret+key' };
const ACCOUNT = '333333333333';
let server;

before(async () => {
  server = await startSluice(['--auth', 'sigv4'], {
    SLUICE_ACCESS_KEYS: `${KEY.accessKeyId}:${KEY.secretAccessKey}:${ACCOUNT}`,
  });
});

after(async () => {
  await server.stop();
});

function config(credentials) {
  return { endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 };
}

async function rejects(promise, name, status) {
  await assert.rejects(promise, (err) => {
    assert.strictEqual(err.name, name, `${err.name}: ${err.message}`);
    assert.strictEqual(err.$metadata.httpStatusCode, status);
    return true;
  });
}

test('the right key passes and acts in its account', async () => {
  const sqs = new SQSClient(config(KEY));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'auth-js' }));
  assert.match(QueueUrl, new RegExp(`/${ACCOUNT}/auth-js$`));
  const { QueueUrls } = await sqs.send(new ListQueuesCommand({}));
  assert.ok(QueueUrls.includes(QueueUrl));
  const sns = new SNSClient(config(KEY));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'auth-js' }));
  assert.strictEqual(TopicArn.split(':')[4], ACCOUNT);
  const sfn = new SFNClient(config(KEY));
  await sfn.send(new ListStateMachinesCommand({}));
  for (const c of [sqs, sns, sfn]) c.destroy();
});

test('a wrong secret fails', async () => {
  const wrong = { ...KEY, secretAccessKey: 'wrong' };
  const sqs = new SQSClient(config(wrong));
  const sns = new SNSClient(config(wrong));
  const sfn = new SFNClient(config(wrong));
  await rejects(sqs.send(new ListQueuesCommand({})), 'SignatureDoesNotMatch', 403);
  await rejects(sns.send(new ListTopicsCommand({})), 'SignatureDoesNotMatch', 403);
  await rejects(sfn.send(new ListStateMachinesCommand({})), 'InvalidSignatureException', 400);
  for (const c of [sqs, sns, sfn]) c.destroy();
});

test('an unknown key fails', async () => {
  const nobody = { accessKeyId: 'AKIDNOBODY000000000', secretAccessKey: 'x' };
  const sqs = new SQSClient(config(nobody));
  const sns = new SNSClient(config(nobody));
  const sfn = new SFNClient(config(nobody));
  await rejects(sqs.send(new ListQueuesCommand({})), 'InvalidClientTokenId', 403);
  await rejects(sns.send(new ListTopicsCommand({})), 'InvalidClientTokenId', 403);
  await rejects(sfn.send(new ListStateMachinesCommand({})), 'UnrecognizedClientException', 400);
  for (const c of [sqs, sns, sfn]) c.destroy();
});
