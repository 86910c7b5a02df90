// The npm `sqs-consumer` library (over @aws-sdk/client-sqs v3) consuming from Sluice:
// it long-polls, hands each message to the handler, deletes it on success, and with
// terminateVisibilityTimeout makes a failed message visible again at once
// (ChangeMessageVisibility 0) so it is redelivered. Real clock, short waits.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {
  SQSClient,
  CreateQueueCommand,
  SendMessageBatchCommand,
  GetQueueAttributesCommand,
} = require('@aws-sdk/client-sqs');
const { Consumer } = require('sqs-consumer');
const { startSluice, clientConfig } = require('./harness');

let server;
let sqs;

before(async () => {
  server = await startSluice();
  sqs = new SQSClient(clientConfig(server.endpoint));
});

after(async () => {
  sqs?.destroy();
  if (server) await server.stop();
});

async function createQueue(prefix) {
  const QueueName = `${prefix}-${crypto.randomBytes(5).toString('hex')}`;
  return (await sqs.send(new CreateQueueCommand({ QueueName }))).QueueUrl;
}

async function sendBodies(QueueUrl, bodies) {
  const out = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: bodies.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })),
    }),
  );
  assert.equal(out.Successful.length, bodies.length);
}

async function remaining(QueueUrl) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
}

// Runs a consumer until it has processed (handled and deleted) `expected` messages or
// the deadline passes, then stops it, aborting a parked long poll. Returns the error
// and processing_error events seen while it ran.
async function runConsumer(options, expected, deadlineMs = 10000) {
  const errors = [];
  const processingErrors = [];
  let processed = 0;
  let finish;
  const done = new Promise((r) => (finish = r));
  const consumer = Consumer.create({ sqs, waitTimeSeconds: 1, pollingWaitTimeMs: 0, ...options });
  consumer.on('error', (err) => errors.push(err));
  consumer.on('processing_error', (err) => processingErrors.push(err));
  consumer.on('message_processed', () => {
    processed += 1;
    if (processed === expected) finish();
  });
  consumer.start();
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`consumer processed ${processed} of ${expected}`)), deadlineMs);
  });
  try {
    await Promise.race([done, deadline]);
    return { errors: [...errors], processingErrors: [...processingErrors] };
  } finally {
    clearTimeout(timer);
    consumer.stop({ abort: true });
  }
}

test('consumes and deletes every message', async () => {
  const queueUrl = await createQueue('consumer');
  const bodies = Array.from({ length: 7 }, (_, i) => `job-${i}`);
  await sendBodies(queueUrl, bodies);
  const handled = [];
  const seen = await runConsumer(
    {
      queueUrl,
      batchSize: 5,
      handleMessage: async (message) => {
        handled.push(message.Body);
        return message;
      },
    },
    bodies.length,
  );
  assert.deepEqual(seen.errors.map(String), []);
  assert.deepEqual([...handled].sort(), [...bodies].sort());
  assert.equal(await remaining(queueUrl), 0);
});

test('batch handler acknowledges all messages', async () => {
  const queueUrl = await createQueue('consumer-batch');
  const bodies = ['a', 'b', 'c'];
  await sendBodies(queueUrl, bodies);
  const handled = [];
  const seen = await runConsumer(
    {
      queueUrl,
      batchSize: 10,
      handleMessageBatch: async (messages) => {
        handled.push(...messages.map((m) => m.Body));
        return messages;
      },
    },
    bodies.length,
  );
  assert.deepEqual(seen.errors.map(String), []);
  assert.deepEqual([...handled].sort(), bodies);
  assert.equal(await remaining(queueUrl), 0);
});

test('a failed message is made visible again and redelivered', async () => {
  const queueUrl = await createQueue('consumer-retry');
  await sendBodies(queueUrl, ['flaky']);
  const attempts = [];
  const seen = await runConsumer(
    {
      queueUrl,
      terminateVisibilityTimeout: true,
      attributeNames: ['ApproximateReceiveCount'],
      handleMessage: async (message) => {
        attempts.push(message.Attributes?.ApproximateReceiveCount);
        if (attempts.length === 1) throw new Error('first attempt fails');
        return message;
      },
    },
    1,
  );
  assert.deepEqual(seen.errors.map(String), []);
  assert.equal(seen.processingErrors.length, 1);
  assert.deepEqual(attempts, ['1', '2']);
  assert.equal(await remaining(queueUrl), 0);
});
