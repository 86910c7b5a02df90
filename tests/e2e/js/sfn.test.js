// Step Functions through the AWS SDK for JavaScript v3 (@aws-sdk/client-sfn).
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert');
const {
  SFNClient,
  CreateStateMachineCommand,
  DescribeStateMachineCommand,
  StartExecutionCommand,
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartSyncExecutionCommand,
  CreateActivityCommand,
  GetActivityTaskCommand,
  SendTaskSuccessCommand,
  SendTaskFailureCommand,
  ListExecutionsCommand,
} = require('@aws-sdk/client-sfn');
const { SQSClient, CreateQueueCommand, ReceiveMessageCommand } = require('@aws-sdk/client-sqs');
const { startSluice, clientConfig } = require('./harness');

const ROLE = 'arn:aws:iam::000000000000:role/sfn';
let server;
let sfn;
let sqs;

before(async () => {
  server = await startSluice();
  sfn = new SFNClient(clientConfig(server.endpoint));
  sqs = new SQSClient(clientConfig(server.endpoint));
});

after(async () => {
  sfn.destroy();
  sqs.destroy();
  await server.stop();
});

async function create(name, definition, extra = {}) {
  const out = await sfn.send(
    new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE, ...extra }),
  );
  return out.stateMachineArn;
}

async function waitDone(executionArn) {
  for (let i = 0; i < 500; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${executionArn} still running`);
}

test('create, run, describe and read the history', async () => {
  const arn = await create('js-pass', {
    StartAt: 'Shape',
    States: {
      Shape: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('Hello, {}!', $.who)" }, Next: 'Done' },
      Done: { Type: 'Succeed' },
    },
  });
  const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  assert.strictEqual(described.name, 'js-pass');
  assert.ok(described.creationDate instanceof Date);
  const { executionArn, startDate } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ who: 'JS' }) }),
  );
  assert.ok(startDate instanceof Date);
  const d = await waitDone(executionArn);
  assert.strictEqual(d.status, 'SUCCEEDED');
  assert.deepStrictEqual(JSON.parse(d.output), { greeting: 'Hello, JS!' });
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
  assert.deepStrictEqual(
    events.map((e) => e.type),
    ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'SucceedStateEntered',
      'SucceedStateExited', 'ExecutionSucceeded'],
  );
  assert.deepStrictEqual(events.map((e) => e.previousEventId), [0, 0, 2, 3, 4, 5]);
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
  assert.strictEqual(listed.executions.length, 1);
});

test('errors carry the AWS names', async () => {
  await assert.rejects(
    sfn.send(new DescribeExecutionCommand({
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:none:none',
    })),
    (err) => err.name === 'ExecutionDoesNotExist',
  );
  await assert.rejects(
    sfn.send(new CreateStateMachineCommand({
      name: 'js-bad', roleArn: ROLE, definition: JSON.stringify({ StartAt: 'X', States: {} }),
    })),
    (err) => err.name === 'InvalidDefinition' && /SCHEMA_VALIDATION_FAILED/.test(err.message),
  );
});

test('callback through SQS answered with SendTaskSuccess', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'js-sfn-callback' }));
  const arn = await create('js-callback', {
    StartAt: 'Ask',
    States: {
      Ask: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
        Parameters: { QueueUrl, MessageBody: { 'token.$': '$$.Task.Token' } },
        End: true,
      },
    },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
  const { token } = JSON.parse(Messages[0].Body);
  await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"answer":42}' }));
  const d = await waitDone(executionArn);
  assert.strictEqual(d.status, 'SUCCEEDED');
  assert.strictEqual(d.output, '{"answer":42}');
});

test('activity task failed by the worker fails the execution', async () => {
  const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'js-activity' }));
  const arn = await create('js-activity-machine', {
    StartAt: 'Work',
    States: { Work: { Type: 'Task', Resource: activityArn, End: true } },
  });
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: '{"k":1}' }));
  const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'js' }));
  assert.deepStrictEqual(JSON.parse(task.input), { k: 1 });
  await sfn.send(new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Oops', cause: 'worker' }));
  const d = await waitDone(executionArn);
  assert.strictEqual(d.status, 'FAILED');
  assert.strictEqual(d.error, 'Oops');
  assert.strictEqual(d.cause, 'worker');
});

test('StartSyncExecution on an EXPRESS machine', async () => {
  const arn = await create('js-express', { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, { type: 'EXPRESS' });
  // The SDK would send this to sync-<host>; against a custom endpoint the prefix is
  // switched off (the server itself ignores the Host header).
  const syncClient = new SFNClient({ ...clientConfig(server.endpoint), disableHostPrefix: true });
  const r = await syncClient.send(new StartSyncExecutionCommand({ stateMachineArn: arn, input: '{"x":1}' }));
  syncClient.destroy();
  assert.strictEqual(r.status, 'SUCCEEDED');
  assert.strictEqual(r.output, '{"x":1}');
  assert.ok(r.billingDetails.billedDurationInMilliseconds >= 100);
});
