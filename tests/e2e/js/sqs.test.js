// SQS through the AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, AWS JSON 1.0 with
// x-amzn-query-mode). The SDK validates MD5OfBody itself; the tests check
// MD5OfMessageAttributes from the documented algorithm and the error names/codes the
// SDK derives from x-amzn-query-error (error.name = the modeled shape, error.Code = the
// Query code). Expected values come from the AWS docs and models, not from Sluice.
// One sluice with --clock virtual: time moves only through POST /_sluice/clock.
'use strict';
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const sqsSdk = require('@aws-sdk/client-sqs');
const { startSluice, clientConfig } = require('./harness');

const {
  SQSClient,
  CreateQueueCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  TagQueueCommand,
  ListQueueTagsCommand,
  SendMessageCommand,
  SendMessageBatchCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand,
  PurgeQueueCommand,
  ListDeadLetterSourceQueuesCommand,
  StartMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
} = sqsSdk;

const ACCOUNT = '000000000000';
let server;
let sqs;

before(async () => {
  server = await startSluice(['--clock', 'virtual']);
  sqs = new SQSClient(clientConfig(server.endpoint));
});

after(async () => {
  sqs?.destroy();
  if (server) await server.stop();
});

const unique = (prefix) => `${prefix}-${crypto.randomBytes(5).toString('hex')}`;

async function advance(seconds) {
  const res = await fetch(`${server.endpoint}/_sluice/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advance: `${seconds}s` }),
  });
  assert.equal(res.status, 200, await res.text());
}

async function createQueue(prefix, Attributes, extra = {}) {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: unique(prefix), Attributes, ...extra }));
  return out.QueueUrl;
}

async function createFifo(prefix, Attributes = {}) {
  const name = `${unique(prefix)}.fifo`;
  const out = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ...Attributes } }),
  );
  return out.QueueUrl;
}

async function receive(QueueUrl, params = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, ...params }));
  return out.Messages ?? [];
}

async function counts(QueueUrl) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return [
    Number(Attributes.ApproximateNumberOfMessages),
    Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    Number(Attributes.ApproximateNumberOfMessagesDelayed),
  ];
}

const md5 = (data) => crypto.createHash('md5').update(data).digest('hex');

// MD5OfMessageAttributes as AWS documents it: names sorted; per attribute the
// length-prefixed (4-byte big-endian) name and full data type, a transport byte
// (1 String/Number, 2 Binary) and the length-prefixed value.
function md5OfAttributes(attrs) {
  const parts = [];
  const lp = (buf) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(buf.length);
    parts.push(len, buf);
  };
  for (const name of Object.keys(attrs).sort()) {
    const a = attrs[name];
    lp(Buffer.from(name, 'utf8'));
    lp(Buffer.from(a.DataType, 'utf8'));
    if (a.DataType.split('.')[0] === 'Binary') {
      parts.push(Buffer.from([2]));
      lp(Buffer.from(a.BinaryValue));
    } else {
      parts.push(Buffer.from([1]));
      lp(Buffer.from(a.StringValue, 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

// Runs `fn`, expects it to reject with the SDK error shape `name` and Query code `code`.
async function expectError(fn, name, code, status) {
  await assert.rejects(fn, (err) => {
    assert.equal(err.name, name, `error name (${err.name}: ${err.message})`);
    assert.equal(err.Code, code, `error Code (${err.name}: ${err.message})`);
    if (status !== undefined) assert.equal(err.$metadata?.httpStatusCode, status);
    return true;
  });
}

test('the JS SDK sends AWS JSON with query mode', async () => {
  const seen = [];
  const client = new SQSClient(clientConfig(server.endpoint));
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.push(args.request.headers);
      return next(args);
    },
    { step: 'finalizeRequest', name: 'capture' },
  );
  await client.send(new ListQueuesCommand({}));
  client.destroy();
  assert.equal(seen[0]['content-type'], 'application/x-amz-json-1.0');
  assert.equal(seen[0]['x-amz-target'], 'AmazonSQS.ListQueues');
  assert.equal(seen[0]['x-amzn-query-mode'], 'true');
});

test('create, get url, list with prefix and delete a queue', async () => {
  const name = unique('js-life');
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const u = new URL(QueueUrl);
  assert.equal(u.host, `127.0.0.1:${server.port}`);
  assert.equal(u.pathname, `/${ACCOUNT}/${name}`);
  assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl, QueueUrl);
  const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: name }));
  assert.deepEqual(listed.QueueUrls, [QueueUrl]);
  await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  await expectError(
    () => sqs.send(new GetQueueUrlCommand({ QueueName: name })),
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    400,
  );
  await expectError(
    () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })),
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    400,
  );
});

test('list queues paginates with MaxResults and NextToken', async () => {
  const prefix = unique('js-page');
  const created = [];
  for (let i = 0; i < 3; i++) created.push(await createQueue(prefix));
  const first = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2 }));
  assert.equal(first.QueueUrls.length, 2);
  assert.ok(first.NextToken);
  const second = await sqs.send(
    new ListQueuesCommand({ QueueNamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }),
  );
  assert.equal(second.QueueUrls.length, 1);
  assert.equal(second.NextToken, undefined);
  assert.deepEqual([...first.QueueUrls, ...second.QueueUrls].sort(), created.sort());
});

test('create with a different attribute value is QueueNameExists / QueueAlreadyExists', async () => {
  const name = unique('js-exists');
  await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '1' } }));
  await expectError(
    () => sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { DelaySeconds: '2' } })),
    'QueueNameExists',
    'QueueAlreadyExists',
    400,
  );
});

test('queue attributes: defaults, set, invalid name and value', async () => {
  const QueueUrl = await createQueue('js-attrs');
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
  assert.equal(Attributes.VisibilityTimeout, '30');
  assert.equal(Attributes.MaximumMessageSize, '1048576');
  assert.equal(Attributes.QueueArn, `arn:aws:sqs:us-east-1:${ACCOUNT}:${QueueUrl.split('/').pop()}`);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '45' } }));
  const after = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['VisibilityTimeout'] }));
  assert.deepEqual(after.Attributes, { VisibilityTimeout: '45' });
  await expectError(
    () => sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { VisibilityTimeout: '43201' } })),
    'InvalidAttributeValue',
    'InvalidAttributeValue',
  );
  await expectError(
    () => sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['NoSuchAttribute'] })),
    'InvalidAttributeName',
    'InvalidAttributeName',
  );
});

test('tags', async () => {
  const QueueUrl = await createQueue('js-tags', undefined, { tags: { team: 'core' } });
  await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: 'test' } }));
  const { Tags } = await sqs.send(new ListQueueTagsCommand({ QueueUrl }));
  assert.deepEqual(Tags, { team: 'core', env: 'test' });
});

test('send, receive with every attribute type, delete', async () => {
  const QueueUrl = await createQueue('js-msg');
  const attrs = {
    str: { DataType: 'String', StringValue: 'hello ✓' },
    num: { DataType: 'Number', StringValue: '-12.5' },
    bin: { DataType: 'Binary', BinaryValue: Uint8Array.from([0, 1, 2, 254, 255]) },
    'str.custom': { DataType: 'String.custom-label', StringValue: 'labelled' },
    'bin.png': { DataType: 'Binary.png', BinaryValue: Uint8Array.from({ length: 256 }, (_, i) => i) },
  };
  const body = 'body <with> "xml" & unicode \u00e9 \u{1F600}\r\n';
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: attrs }));
  assert.equal(sent.MD5OfMessageBody, md5(Buffer.from(body, 'utf8')));
  assert.equal(sent.MD5OfMessageAttributes, md5OfAttributes(attrs));
  const [m] = await receive(QueueUrl, { MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] });
  assert.equal(m.MessageId, sent.MessageId);
  assert.equal(m.Body, body);
  assert.equal(m.MD5OfMessageAttributes, md5OfAttributes(attrs));
  assert.deepEqual(Object.keys(m.MessageAttributes).sort(), Object.keys(attrs).sort());
  for (const [k, v] of Object.entries(attrs)) {
    assert.equal(m.MessageAttributes[k].DataType, v.DataType);
    if (v.StringValue !== undefined) assert.equal(m.MessageAttributes[k].StringValue, v.StringValue);
    else assert.deepEqual(Buffer.from(m.MessageAttributes[k].BinaryValue), Buffer.from(v.BinaryValue));
  }
  assert.equal(m.Attributes.ApproximateReceiveCount, '1');
  assert.ok(Number(m.Attributes.SentTimestamp) > 0);
  await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
  await advance(31);
  assert.deepEqual(await receive(QueueUrl), []);
});

test('AWSTraceHeader system attribute and its MD5', async () => {
  const QueueUrl = await createQueue('js-trace');
  const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1';
  const system = { AWSTraceHeader: { DataType: 'String', StringValue: trace } };
  const sent = await sqs.send(
    new SendMessageCommand({ QueueUrl, MessageBody: 'traced', MessageSystemAttributes: system }),
  );
  assert.equal(sent.MD5OfMessageSystemAttributes, md5OfAttributes(system));
  const [m] = await receive(QueueUrl, { MessageSystemAttributeNames: ['AWSTraceHeader'] });
  assert.deepEqual(m.Attributes, { AWSTraceHeader: trace });
});

test('message errors: invalid receipt handle, bad limits, invalid characters, too large', async () => {
  const QueueUrl = await createQueue('js-errs', { MaximumMessageSize: '1024' });
  await expectError(
    () => sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: 'not-a-receipt-handle' })),
    'ReceiptHandleIsInvalid',
    'ReceiptHandleIsInvalid',
  );
  await expectError(
    () => sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 11 })),
    'InvalidParameterValue',
    'InvalidParameterValue',
    400,
  );
  await expectError(
    () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'bell \u0007' })),
    'InvalidMessageContents',
    'InvalidMessageContents',
  );
  await expectError(
    () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1025) })),
    'InvalidParameterValue',
    'InvalidParameterValue',
  );
});

test('visibility timeout and ChangeMessageVisibility under the virtual clock', async () => {
  const QueueUrl = await createQueue('js-vis');
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
  const [m] = await receive(QueueUrl);
  assert.deepEqual(await receive(QueueUrl), []);
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 100 }));
  await advance(31);
  assert.deepEqual(await receive(QueueUrl), []);
  await advance(70);
  const [again] = await receive(QueueUrl, { MessageSystemAttributeNames: ['ApproximateReceiveCount'] });
  assert.equal(again.MessageId, m.MessageId);
  assert.equal(again.Attributes.ApproximateReceiveCount, '2');
});

test('a parked long poll returns as soon as a message is sent', async () => {
  const QueueUrl = await createQueue('js-lp');
  const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 20 }));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = Date.now();
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'wake' }));
  const out = await pending;
  assert.deepEqual((out.Messages ?? []).map((x) => x.Body), ['wake']);
  assert.ok(Date.now() - t0 < 2000);
});

test('batches: success, partial failure, batch-level errors', async () => {
  const QueueUrl = await createQueue('js-batch');
  const res = await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: [
        { Id: 'a', MessageBody: 'one' },
        { Id: 'bad', MessageBody: 'nul \u0000' },
        { Id: 'b', MessageBody: 'two' },
      ],
    }),
  );
  assert.deepEqual(res.Successful.map((e) => e.Id).sort(), ['a', 'b']);
  assert.equal(res.Failed.length, 1);
  assert.equal(res.Failed[0].Id, 'bad');
  assert.equal(res.Failed[0].Code, 'InvalidMessageContents');
  assert.equal(res.Failed[0].SenderFault, true);
  await expectError(
    () => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: '1', MessageBody: 'x' }, { Id: '1', MessageBody: 'y' }] })),
    'BatchEntryIdsNotDistinct',
    'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
  );
  await expectError(
    () => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `${i}`, MessageBody: 'x' })) })),
    'TooManyEntriesInBatchRequest',
    'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
  );
  await expectError(
    () => sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [] })),
    'EmptyBatchRequest',
    'AWS.SimpleQueueService.EmptyBatchRequest',
  );
  const msgs = await receive(QueueUrl);
  assert.equal(msgs.length, 2);
  const del = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl,
      Entries: [
        ...msgs.map((m, i) => ({ Id: `m${i}`, ReceiptHandle: m.ReceiptHandle })),
        { Id: 'junk', ReceiptHandle: 'not-a-receipt-handle' },
      ],
    }),
  );
  assert.deepEqual(del.Successful.map((e) => e.Id).sort(), ['m0', 'm1']);
  assert.equal(del.Failed[0].Code, 'ReceiptHandleIsInvalid');
});

test('FIFO: group order, sequence numbers, deduplication', async () => {
  const QueueUrl = await createFifo('js-fifo', { ContentBasedDeduplication: 'true' });
  const seqs = [];
  for (let i = 0; i < 3; i++) {
    const out = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `m${i}`, MessageGroupId: 'g' }));
    seqs.push(BigInt(out.SequenceNumber));
  }
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm0', MessageGroupId: 'g' })); // duplicate
  assert.ok(seqs[0] < seqs[1] && seqs[1] < seqs[2]);
  const msgs = await receive(QueueUrl, { MessageSystemAttributeNames: ['SequenceNumber', 'MessageGroupId'] });
  assert.deepEqual(msgs.map((m) => m.Body), ['m0', 'm1', 'm2']);
  assert.deepEqual(msgs.map((m) => BigInt(m.Attributes.SequenceNumber)), seqs);
  await expectError(
    () => sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x' })),
    'MissingParameter',
    'MissingParameter',
  );
});

test('dead-letter queue, ListDeadLetterSourceQueues and a move task back', async () => {
  const dlq = await createQueue('js-dlq');
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }));
  const dlqArn = Attributes.QueueArn;
  const src = await createQueue('js-src', {
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
  });
  await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: 'poison' }));
  assert.equal((await receive(src)).length, 1);
  await advance(31);
  assert.deepEqual(await receive(src), []);
  assert.deepEqual(await counts(dlq), [1, 0, 0]);
  const sources = await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }));
  assert.deepEqual(sources.queueUrls, [src]);
  await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn }));
  let status;
  for (let i = 0; i < 60 && status !== 'COMPLETED'; i++) {
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    status = Results?.[0]?.Status;
    if (status !== 'COMPLETED') await advance(1);
  }
  assert.equal(status, 'COMPLETED');
  assert.deepEqual((await receive(src)).map((m) => m.Body), ['poison']);
});

test('PurgeQueue empties the queue and is limited to once per 60 seconds', async () => {
  const QueueUrl = await createQueue('js-purge');
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'm' }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
  assert.deepEqual(await counts(QueueUrl), [0, 0, 0]);
  await expectError(
    () => sqs.send(new PurgeQueueCommand({ QueueUrl })),
    'PurgeQueueInProgress',
    'AWS.SimpleQueueService.PurgeQueueInProgress',
    403,
  );
  await advance(61);
  await sqs.send(new PurgeQueueCommand({ QueueUrl }));
});

test('a 12-digit access key id is the account', async () => {
  const other = new SQSClient({
    ...clientConfig(server.endpoint),
    credentials: { accessKeyId: '111111111111', secretAccessKey: 'x' },
  });
  try {
    const name = unique('js-acct');
    const { QueueUrl } = await other.send(new CreateQueueCommand({ QueueName: name }));
    assert.equal(new URL(QueueUrl).pathname, `/111111111111/${name}`);
    await expectError(
      () => sqs.send(new GetQueueUrlCommand({ QueueName: name })),
      'QueueDoesNotExist',
      'AWS.SimpleQueueService.NonExistentQueue',
    );
  } finally {
    other.destroy();
  }
});
