// SNS with the AWS SDK for JavaScript v3 (AWS Query) and the npm sns-validator library,
// which checks message signatures the way applications do: it only trusts certificates
// from https://sns.<region>.amazonaws.com, so sluice runs with
// --sns-signing-cert-base https://sns.us-east-1.amazonaws.com and the test answers that
// host's certificate requests from sluice (the network alias a container setup would use).
// Also: fan-out into SQS (filter policies on attributes and body, raw delivery, FIFO
// order and deduplication), HTTP subscriptions against a listener in the test, and
// DeliveryPolicy retries then the dead-letter queue on sluice's virtual clock
// (--clock virtual; time moves only through POST /_sluice/clock).
// Expected values come from the AWS docs, not from Sluice.
'use strict';
const { test, after } = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const https = require('node:https');
const MessageValidator = require('sns-validator');
const {
  SNSClient, CreateTopicCommand, SubscribeCommand, ConfirmSubscriptionCommand, PublishCommand,
  PublishBatchCommand, SetTopicAttributesCommand, ListSubscriptionsByTopicCommand,
  GetSubscriptionAttributesCommand, SetSubscriptionAttributesCommand,
} = require('@aws-sdk/client-sns');
const {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
  DeleteMessageCommand,
} = require('@aws-sdk/client-sqs');
const { startSluice, clientConfig } = require('./harness');

const CERT_BASE = 'https://sns.us-east-1.amazonaws.com';

// Every sluice started here is stopped at the end too, so a test that times out before
// its own `finally` leaves no server behind.
const started = [];
async function start(args) {
  const server = await startSluice(args);
  started.push(server);
  return server;
}
after(() => Promise.all(started.map((server) => server.stop())));

// https.get for the pinned host goes to sluice over plain HTTP.
function aliasCertHost(port) {
  const original = https.get;
  https.get = (url, cb) => {
    const target = String(url);
    if (target.startsWith(CERT_BASE)) {
      return http.get(`http://127.0.0.1:${port}${target.slice(CERT_BASE.length)}`, cb);
    }
    return original(url, cb);
  };
  return () => { https.get = original; };
}

// An HTTP endpoint for SNS to post to. Answers every POST with `status` (changeable
// through setStatus); next() resolves with the next request (headers, path, JSON body).
function listener({ status = 200 } = {}) {
  const waiting = [];
  const received = [];
  let answer = status;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      res.writeHead(answer, { 'content-length': '0' }).end();
      const item = { method: req.method, path: req.url, headers: req.headers, body: JSON.parse(body) };
      const w = waiting.shift();
      if (w) w(item); else received.push(item);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/sns`,
    setStatus: (s) => { answer = s; },
    next: () => new Promise((r, reject) => {
      if (received.length) return r(received.shift());
      const timer = setTimeout(() => reject(new Error('no delivery')), 5000);
      waiting.push((item) => { clearTimeout(timer); r(item); });
    }),
    // Resolves with the requests that arrive within `ms` (none are waited for).
    quiet: (ms) => new Promise((r) => setTimeout(() => r(received.splice(0)), ms)),
    close: () => new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  })));
}

// A queue's ARN from its URL.
async function queueArn(sqs, QueueUrl) {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl, AttributeNames: ['QueueArn'],
  }));
  return Attributes.QueueArn;
}

// Receives (and deletes) until `expected` messages arrived or `timeoutMs` passed; with
// `settle`, one more poll checks that nothing beyond them arrives. Long polls wait on
// the server's clock, so against --clock virtual pass waitSeconds 0 (short polls).
async function drain(sqs, QueueUrl, expected, { timeoutMs = 5000, settle = false, waitSeconds = 1 } = {}) {
  const got = [];
  const deadline = Date.now() + timeoutMs;
  const poll = async () => {
    if (waitSeconds === 0 && got.length) await new Promise((r) => setTimeout(r, 50));
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId', 'SequenceNumber'],
    }));
    for (const m of out.Messages ?? []) {
      got.push(m);
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    return (out.Messages ?? []).length;
  };
  while (got.length < expected && Date.now() < deadline) await poll();
  if (settle) await poll();
  return got;
}

// Sluice's admin routes (not AWS): the virtual clock and recorded deliveries.
async function admin(endpoint, path, body) {
  const res = await fetch(`${endpoint}${path}`, body === undefined ? {} : {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.strictEqual(res.status, 200, `${path}: ${text}`);
  return text ? JSON.parse(text) : {};
}

function validate(message) {
  const validator = new MessageValidator();
  return new Promise((resolve, reject) => validator.validate(message, (err, m) => (err ? reject(err) : resolve(m))));
}

test('http deliveries carry signatures sns-validator accepts (versions 1 and 2)', async () => {
  const sluice = await start(['--sns-signing-cert-base', CERT_BASE]);
  const restore = aliasCertHost(sluice.port);
  const hook = await listener();
  try {
    const sns = new SNSClient(clientConfig(sluice.endpoint));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'signed' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url }));
    const confirmation = await hook.next();
    assert.strictEqual(confirmation.method, 'POST');
    assert.strictEqual(confirmation.path, '/sns');
    assert.strictEqual(confirmation.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    assert.strictEqual(confirmation.headers['x-amz-sns-message-id'], confirmation.body.MessageId);
    assert.strictEqual(confirmation.headers['x-amz-sns-topic-arn'], TopicArn);
    assert.match(confirmation.headers['content-type'], /^text\/plain/);
    assert.strictEqual(confirmation.body.Type, 'SubscriptionConfirmation');
    assert.strictEqual(confirmation.body.TopicArn, TopicArn);
    assert.ok(confirmation.body.Token);
    assert.ok(confirmation.body.SigningCertURL.startsWith(CERT_BASE));
    await validate(confirmation.body);
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({
      TopicArn, Token: confirmation.body.Token,
    }));
    assert.ok(SubscriptionArn.startsWith(`${TopicArn}:`));

    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'version one', Subject: 'v1' }));
    const n1 = await hook.next();
    assert.strictEqual(n1.headers['x-amz-sns-message-type'], 'Notification');
    assert.strictEqual(n1.headers['x-amz-sns-message-id'], MessageId);
    assert.strictEqual(n1.headers['x-amz-sns-topic-arn'], TopicArn);
    assert.strictEqual(n1.headers['x-amz-sns-subscription-arn'], SubscriptionArn);
    assert.match(n1.headers['content-type'], /^text\/plain/);
    assert.strictEqual(n1.body.Type, 'Notification');
    assert.strictEqual(n1.body.MessageId, MessageId);
    assert.strictEqual(n1.body.Subject, 'v1');
    assert.strictEqual(n1.body.SignatureVersion, '1');
    assert.strictEqual((await validate(n1.body)).Message, 'version one');

    await sns.send(new SetTopicAttributesCommand({
      TopicArn, AttributeName: 'SignatureVersion', AttributeValue: '2',
    }));
    await sns.send(new PublishCommand({ TopicArn, Message: 'version two' }));
    const n2 = await hook.next();
    assert.strictEqual(n2.body.SignatureVersion, '2');
    await validate(n2.body);

    // A tampered message fails validation.
    await assert.rejects(validate({ ...n2.body, Message: 'forged' }), /invalid/);
  } finally {
    await hook.close();
    restore();
    await sluice.stop();
  }
});

test('fan-out to SQS with the v3 clients', async () => {
  const sluice = await start();
  try {
    const sns = new SNSClient(clientConfig(sluice.endpoint));
    const sqs = new SQSClient(clientConfig(sluice.endpoint));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'fan-js' }));
    const queues = [];
    for (const name of ['js-a', 'js-b']) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({
        QueueUrl, AttributeNames: ['QueueArn'],
      }));
      await sns.send(new SubscribeCommand({
        TopicArn, Protocol: 'sqs', Endpoint: Attributes.QueueArn,
        Attributes: { RawMessageDelivery: name === 'js-b' ? 'true' : 'false' },
      }));
      queues.push(QueueUrl);
    }
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    assert.strictEqual(subs.Subscriptions.length, 2);
    const { MessageId } = await sns.send(new PublishCommand({
      TopicArn, Message: 'hi',
      MessageAttributes: { kind: { DataType: 'String', StringValue: 'greeting' } },
    }));
    const a = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[0], WaitTimeSeconds: 1 }));
    const envelope = JSON.parse(a.Messages[0].Body);
    assert.strictEqual(envelope.MessageId, MessageId);
    assert.deepStrictEqual(envelope.MessageAttributes, { kind: { Type: 'String', Value: 'greeting' } });
    const b = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queues[1], WaitTimeSeconds: 1, MessageAttributeNames: ['All'],
    }));
    assert.strictEqual(b.Messages[0].Body, 'hi');
    assert.strictEqual(b.Messages[0].MessageAttributes.kind.StringValue, 'greeting');
  } finally {
    await sluice.stop();
  }
});

test('filter policies on message attributes and on the message body (nested keys)', { timeout: 20000 }, async () => {
  const sluice = await start();
  const sns = new SNSClient(clientConfig(sluice.endpoint));
  const sqs = new SQSClient(clientConfig(sluice.endpoint));
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'filters-js' }));
    const { QueueUrl: attrsUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'by-attributes' }));
    const { QueueUrl: bodyUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'by-body' }));
    await sns.send(new SubscribeCommand({
      TopicArn, Protocol: 'sqs', Endpoint: await queueArn(sqs, attrsUrl),
      Attributes: {
        FilterPolicyScope: 'MessageAttributes',
        FilterPolicy: JSON.stringify({
          color: ['red', { prefix: 'dark-' }],
          size: [{ numeric: ['>', 0, '<=', 10] }],
          region: [{ 'anything-but': ['eu-west-1', 'eu-central-1'] }],
          debug: [{ exists: false }],
        }),
      },
    }));
    const { SubscriptionArn: bodySub } = await sns.send(new SubscribeCommand({
      TopicArn, Protocol: 'sqs', Endpoint: await queueArn(sqs, bodyUrl), ReturnSubscriptionArn: true,
      Attributes: {
        FilterPolicyScope: 'MessageBody',
        FilterPolicy: JSON.stringify({
          order: {
            total: [{ numeric: ['>=', 100, '<', 1000] }],
            status: ['paid'],
            customer: { tier: [{ 'anything-but': ['blocked'] }] },
            coupon: [{ exists: false }],
          },
          source: [{ prefix: 'web-' }],
        }),
      },
    }));
    const subAttrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: bodySub }))).Attributes;
    assert.strictEqual(subAttrs.FilterPolicyScope, 'MessageBody');
    assert.deepStrictEqual(JSON.parse(subAttrs.FilterPolicy).source, [{ prefix: 'web-' }]);

    // Attribute-scoped: each miss breaks exactly one key of an otherwise matching message.
    const str = (v) => ({ DataType: 'String', StringValue: v });
    const num = (v) => ({ DataType: 'Number', StringValue: String(v) });
    const base = { color: str('red'), size: num(5), region: str('us-east-1') };
    const byAttributes = {
      'attr-exact': base,
      'attr-prefix': { ...base, color: str('dark-green'), size: num(10), region: str('ap-south-1') },
      'attr-miss-exact': { ...base, color: str('reddish') },
      'attr-miss-numeric-high': { ...base, size: num(10.5) },
      'attr-miss-numeric-low': { ...base, size: num(0) },
      'attr-miss-anything-but': { ...base, region: str('eu-west-1') },
      'attr-miss-exists-false': { ...base, debug: str('on') },
      'attr-miss-absent-key': { size: num(5), region: str('us-east-1') },
    };
    for (const [id, MessageAttributes] of Object.entries(byAttributes)) {
      await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ id }), MessageAttributes }));
    }

    // Body-scoped: the same, on nested keys of a JSON message (no message attributes).
    const order = { total: 100, status: 'paid', customer: { tier: 'gold' } };
    const byBody = {
      'body-match': { order, source: 'web-eu' },
      'body-match-extra-keys': {
        order: { ...order, total: 999.5, customer: { tier: 'silver', since: 2020 }, note: 'x' },
        source: 'web-us', channel: 'ads',
      },
      'body-miss-numeric': { order: { ...order, total: 1000 }, source: 'web-eu' },
      'body-miss-exact': { order: { ...order, status: 'pending' }, source: 'web-eu' },
      'body-miss-anything-but': { order: { ...order, customer: { tier: 'blocked' } }, source: 'web-eu' },
      'body-miss-exists-false': { order: { ...order, coupon: 'X10' }, source: 'web-eu' },
      'body-miss-prefix': { order, source: 'mobile-web' },
      'body-miss-not-nested': { total: 100, status: 'paid', customer: { tier: 'gold' }, source: 'web-eu' },
    };
    for (const [id, body] of Object.entries(byBody)) {
      await sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify({ id, ...body }) }));
    }

    const ids = (msgs) => msgs.map((m) => JSON.parse(JSON.parse(m.Body).Message).id).sort();
    assert.deepStrictEqual(ids(await drain(sqs, attrsUrl, 2, { settle: true })), ['attr-exact', 'attr-prefix']);
    assert.deepStrictEqual(
      ids(await drain(sqs, bodyUrl, 2, { settle: true })), ['body-match', 'body-match-extra-keys'],
    );
  } finally {
    sns.destroy();
    sqs.destroy();
    await sluice.stop();
  }
});

test('raw message delivery: the body is the message, attributes arrive as SQS attributes', { timeout: 20000 }, async () => {
  const sluice = await start();
  const sns = new SNSClient(clientConfig(sluice.endpoint));
  const sqs = new SQSClient(clientConfig(sluice.endpoint));
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'raw-js' }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'raw-js-q' }));
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({
      TopicArn, Protocol: 'sqs', Endpoint: await queueArn(sqs, QueueUrl), ReturnSubscriptionArn: true,
    }));
    const rawOf = async () => (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn })))
      .Attributes.RawMessageDelivery;
    assert.strictEqual(await rawOf(), 'false');
    await sns.send(new SetSubscriptionAttributesCommand({
      SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'true',
    }));
    assert.strictEqual(await rawOf(), 'true');

    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    const MessageAttributes = {
      text: { DataType: 'String', StringValue: 'héllo' },
      count: { DataType: 'Number', StringValue: '7.5' },
      blob: { DataType: 'Binary', BinaryValue: bytes },
    };
    const body = '{"not": "an envelope"} & <plain> text';
    await sns.send(new PublishCommand({ TopicArn, Message: body, Subject: 'ignored when raw', MessageAttributes }));
    const [raw] = await drain(sqs, QueueUrl, 1);
    assert.strictEqual(raw.Body, body);
    assert.deepStrictEqual(Object.keys(raw.MessageAttributes).sort(), ['blob', 'count', 'text']);
    assert.strictEqual(raw.MessageAttributes.text.DataType, 'String');
    assert.strictEqual(raw.MessageAttributes.text.StringValue, 'héllo');
    assert.strictEqual(raw.MessageAttributes.count.DataType, 'Number');
    assert.strictEqual(raw.MessageAttributes.count.StringValue, '7.5');
    assert.strictEqual(raw.MessageAttributes.blob.DataType, 'Binary');
    assert.deepStrictEqual(Buffer.from(raw.MessageAttributes.blob.BinaryValue), Buffer.from(bytes));

    // Back to the envelope: the same attributes as Type/Value, binary base64-encoded.
    await sns.send(new SetSubscriptionAttributesCommand({
      SubscriptionArn, AttributeName: 'RawMessageDelivery', AttributeValue: 'false',
    }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: body, Subject: 's', MessageAttributes }));
    const [wrapped] = await drain(sqs, QueueUrl, 1);
    const envelope = JSON.parse(wrapped.Body);
    assert.strictEqual(envelope.Type, 'Notification');
    assert.strictEqual(envelope.MessageId, MessageId);
    assert.strictEqual(envelope.Message, body);
    assert.strictEqual(envelope.Subject, 's');
    assert.deepStrictEqual(envelope.MessageAttributes, {
      text: { Type: 'String', Value: 'héllo' },
      count: { Type: 'Number', Value: '7.5' },
      blob: { Type: 'Binary', Value: Buffer.from(bytes).toString('base64') },
    });
    assert.strictEqual(wrapped.MessageAttributes, undefined);
  } finally {
    sns.destroy();
    sqs.destroy();
    await sluice.stop();
  }
});

test('FIFO topic fan-out to FIFO queues keeps per-group order and drops duplicates', { timeout: 20000 }, async () => {
  const sluice = await start();
  const sns = new SNSClient(clientConfig(sluice.endpoint));
  const sqs = new SQSClient(clientConfig(sluice.endpoint));
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({
      Name: 'orders-js.fifo', Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'true' },
    }));
    const queues = [];
    for (const name of ['fifo-js-a.fifo', 'fifo-js-b.fifo']) {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({
        QueueName: name, Attributes: { FifoQueue: 'true' },
      }));
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: await queueArn(sqs, QueueUrl) }));
      queues.push(QueueUrl);
    }

    // Two groups, interleaved; SequenceNumber grows within a group.
    const expected = { g1: [], g2: [] };
    const lastSeq = {};
    for (let i = 0; i < 8; i++) {
      for (const group of ['g1', 'g2']) {
        const Message = `${group}-m${i}`;
        const out = await sns.send(new PublishCommand({ TopicArn, Message, MessageGroupId: group }));
        assert.ok(out.MessageId && out.SequenceNumber, Message);
        const seq = BigInt(out.SequenceNumber);
        if (lastSeq[group] !== undefined) assert.ok(seq > lastSeq[group], `${Message} sequence grows`);
        lastSeq[group] = seq;
        expected[group].push(Message);
      }
    }
    // Duplicates inside the 5-minute window are accepted but not delivered: the same body
    // (content-based deduplication) and a different body under an explicit id used before.
    await sns.send(new PublishCommand({ TopicArn, Message: 'g1-m0', MessageGroupId: 'g1' }));
    await sns.send(new PublishCommand({
      TopicArn, Message: 'g2-explicit', MessageGroupId: 'g2', MessageDeduplicationId: 'dedup-1',
    }));
    await sns.send(new PublishCommand({
      TopicArn, Message: 'g2-explicit-again', MessageGroupId: 'g2', MessageDeduplicationId: 'dedup-1',
    }));
    expected.g2.push('g2-explicit');
    const batch = await sns.send(new PublishBatchCommand({
      TopicArn,
      PublishBatchRequestEntries: [0, 1, 2].map((i) => ({
        Id: `e${i}`, Message: `g1-b${i}`, MessageGroupId: 'g1',
      })),
    }));
    assert.strictEqual(batch.Successful.length, 3);
    assert.deepStrictEqual(batch.Failed ?? [], []);
    expected.g1.push('g1-b0', 'g1-b1', 'g1-b2');

    const total = expected.g1.length + expected.g2.length;
    for (const QueueUrl of queues) {
      const msgs = await drain(sqs, QueueUrl, total, { timeoutMs: 10000, settle: true });
      const got = { g1: [], g2: [] };
      for (const m of msgs) {
        const envelope = JSON.parse(m.Body);
        assert.strictEqual(envelope.TopicArn, TopicArn);
        const group = m.Attributes.MessageGroupId;
        assert.ok(envelope.Message.startsWith(`${group}-`), `${envelope.Message} in group ${group}`);
        got[group].push(envelope.Message);
      }
      assert.deepStrictEqual(got, expected, QueueUrl);
    }
  } finally {
    sns.destroy();
    sqs.destroy();
    await sluice.stop();
  }
});

test('http subscription confirmed through the SubscribeURL, then unsubscribed through the UnsubscribeURL', { timeout: 20000 }, async () => {
  const sluice = await start();
  const hook = await listener();
  const sns = new SNSClient(clientConfig(sluice.endpoint));
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'hooks-js' }));
    const pending = await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url }));
    assert.strictEqual(pending.SubscriptionArn, 'pending confirmation');
    const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions;
    assert.strictEqual(listed.length, 1);
    assert.strictEqual(listed[0].SubscriptionArn, 'PendingConfirmation');
    assert.strictEqual(listed[0].Endpoint, hook.url);

    const confirmation = await hook.next();
    assert.strictEqual(confirmation.body.Type, 'SubscriptionConfirmation');
    const subscribeUrl = new URL(confirmation.body.SubscribeURL);
    assert.strictEqual(subscribeUrl.searchParams.get('Action'), 'ConfirmSubscription');
    assert.strictEqual(subscribeUrl.searchParams.get('TopicArn'), TopicArn);
    assert.strictEqual(subscribeUrl.searchParams.get('Token'), confirmation.body.Token);

    // Confirm the way an endpoint does: an unsigned GET of the SubscribeURL.
    const res = await fetch(confirmation.body.SubscribeURL);
    const xml = await res.text();
    assert.strictEqual(res.status, 200, xml);
    const arn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(xml)?.[1];
    assert.ok(arn && arn.startsWith(`${TopicArn}:`), xml);
    const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes;
    assert.strictEqual(attrs.PendingConfirmation, 'false');
    assert.strictEqual(attrs.Protocol, 'http');
    assert.strictEqual(attrs.Endpoint, hook.url);
    assert.strictEqual(
      (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions[0].SubscriptionArn, arn,
    );

    const { MessageId } = await sns.send(new PublishCommand({
      TopicArn, Message: 'ping',
      MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
    }));
    const n = await hook.next();
    assert.strictEqual(n.headers['x-amz-sns-message-type'], 'Notification');
    assert.strictEqual(n.headers['x-amz-sns-message-id'], MessageId);
    assert.strictEqual(n.headers['x-amz-sns-subscription-arn'], arn);
    assert.strictEqual(n.body.Message, 'ping');
    assert.strictEqual(n.body.Subject, undefined);
    assert.deepStrictEqual(n.body.MessageAttributes, { k: { Type: 'String', Value: 'v' } });
    const cert = await fetch(n.body.SigningCertURL);
    assert.match(await cert.text(), /BEGIN CERTIFICATE/);

    const unsubscribeUrl = new URL(n.body.UnsubscribeURL);
    assert.strictEqual(unsubscribeUrl.searchParams.get('Action'), 'Unsubscribe');
    assert.strictEqual(unsubscribeUrl.searchParams.get('SubscriptionArn'), arn);
    const un = await fetch(n.body.UnsubscribeURL);
    assert.strictEqual(un.status, 200, await un.text());
    assert.deepStrictEqual((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }))).Subscriptions, []);
    // The endpoint is told, with a SubscribeURL to undo it.
    const bye = await hook.next();
    assert.strictEqual(bye.headers['x-amz-sns-message-type'], 'UnsubscribeConfirmation');
    assert.strictEqual(bye.headers['x-amz-sns-subscription-arn'], arn);
    assert.strictEqual(bye.body.Type, 'UnsubscribeConfirmation');
    assert.strictEqual(bye.body.TopicArn, TopicArn);
    assert.ok(bye.body.Token);
    assert.strictEqual(new URL(bye.body.SubscribeURL).searchParams.get('Token'), bye.body.Token);
    await sns.send(new PublishCommand({ TopicArn, Message: 'after unsubscribe' }));
    assert.deepStrictEqual(await hook.quiet(300), []);
  } finally {
    sns.destroy();
    await hook.close();
    await sluice.stop();
  }
});

test('http retries follow the DeliveryPolicy on the virtual clock, then the dead-letter queue', { timeout: 20000 }, async () => {
  const sluice = await start(['--clock', 'virtual']);
  const hook = await listener();
  const sns = new SNSClient(clientConfig(sluice.endpoint));
  const sqs = new SQSClient(clientConfig(sluice.endpoint));
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'flaky-js' }));
    const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'flaky-js-dlq' }));
    const policy = {
      healthyRetryPolicy: {
        numRetries: 5, numNoDelayRetries: 1, minDelayTarget: 10, maxDelayTarget: 300,
        backoffFunction: 'exponential',
      },
    };
    await sns.send(new SubscribeCommand({
      TopicArn, Protocol: 'http', Endpoint: hook.url,
      Attributes: {
        DeliveryPolicy: JSON.stringify(policy),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(sqs, dlqUrl) }),
      },
    }));
    const confirmation = await hook.next();
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({
      TopicArn, Token: confirmation.body.Token,
    }));
    const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes;
    assert.deepStrictEqual(JSON.parse(attrs.DeliveryPolicy).healthyRetryPolicy, policy.healthyRetryPolicy);
    assert.ok(attrs.RedrivePolicy.includes('flaky-js-dlq'));

    hook.setStatus(500);
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn, Message: 'fragile' }));
    // The first attempt and the one no-delay retry need no time to pass.
    for (let i = 0; i < 2; i++) {
      const attempt = await hook.next();
      assert.strictEqual(attempt.body.MessageId, MessageId);
      assert.strictEqual(attempt.headers['x-amz-sns-message-type'], 'Notification');
    }
    // The backoff retries wait at least minDelayTarget (10 s) of the server's clock.
    await admin(sluice.endpoint, '/_sluice/clock', { advance: '9s' });
    assert.deepStrictEqual(await hook.quiet(300), []);
    assert.strictEqual((await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl }))).Messages, undefined);

    // Within an hour all 5 retries (6 attempts) are spent; the message goes to the DLQ.
    await admin(sluice.endpoint, '/_sluice/clock', { advance: '1h' });
    for (let i = 0; i < 4; i++) assert.strictEqual((await hook.next()).body.MessageId, MessageId);
    const dead = await drain(sqs, dlqUrl, 1, { settle: true, waitSeconds: 0 });
    assert.strictEqual(dead.length, 1);
    const envelope = JSON.parse(dead[0].Body);
    assert.strictEqual(envelope.MessageId, MessageId);
    assert.strictEqual(envelope.Message, 'fragile');
    assert.strictEqual(envelope.TopicArn, TopicArn);

    // No attempt after the last retry, however much time passes.
    await admin(sluice.endpoint, '/_sluice/clock', { advance: '1d' });
    assert.deepStrictEqual(await hook.quiet(300), []);
    const records = (await admin(sluice.endpoint, '/_sluice/sns/messages?kind=http')).messages;
    const record = records.find((r) => r.MessageId === MessageId) ?? records[records.length - 1];
    assert.strictEqual(record.Status, 'dead-lettered');
    assert.strictEqual(record.Attempts, 6);
    assert.strictEqual(record.SubscriptionArn, SubscriptionArn);

    // The subscription stays confirmed and delivers again once the endpoint recovers.
    hook.setStatus(200);
    await sns.send(new PublishCommand({ TopicArn, Message: 'healthy again' }));
    assert.strictEqual((await hook.next()).body.Message, 'healthy again');
  } finally {
    sns.destroy();
    sqs.destroy();
    await hook.close();
    await sluice.stop();
  }
});
