// SNS with the AWS SDK for JavaScript v3 (AWS Query) and the npm sns-validator library,
// which checks message signatures the way applications do: it only trusts certificates
// from https://sns.<region>.amazonaws.com, so sluice runs with
// --sns-signing-cert-base https://sns.us-east-1.amazonaws.com and the test answers that
// host's certificate requests from sluice (the network alias a container setup would use).
'use strict';
const test = require('node:test');
const assert = require('node:assert');
const http = require('node:http');
const https = require('node:https');
const MessageValidator = require('sns-validator');
const {
  SNSClient, CreateTopicCommand, SubscribeCommand, ConfirmSubscriptionCommand, PublishCommand,
  SetTopicAttributesCommand, ListSubscriptionsByTopicCommand,
} = require('@aws-sdk/client-sns');
const {
  SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand,
} = require('@aws-sdk/client-sqs');
const { startSluice, clientConfig } = require('./harness');

const CERT_BASE = 'https://sns.us-east-1.amazonaws.com';

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

function listener() {
  const waiting = [];
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      res.writeHead(200).end();
      const item = { headers: req.headers, body: JSON.parse(body) };
      const w = waiting.shift();
      if (w) w(item); else received.push(item);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${server.address().port}/sns`,
    next: () => new Promise((r, reject) => {
      if (received.length) return r(received.shift());
      const timer = setTimeout(() => reject(new Error('no delivery')), 5000);
      waiting.push((item) => { clearTimeout(timer); r(item); });
    }),
    close: () => server.close(),
  })));
}

function validate(message) {
  const validator = new MessageValidator();
  return new Promise((resolve, reject) => validator.validate(message, (err, m) => (err ? reject(err) : resolve(m))));
}

test('http deliveries carry signatures sns-validator accepts (versions 1 and 2)', async () => {
  const sluice = await startSluice(['--sns-signing-cert-base', CERT_BASE]);
  const restore = aliasCertHost(sluice.port);
  const hook = await listener();
  try {
    const sns = new SNSClient(clientConfig(sluice.endpoint));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'signed' }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'http', Endpoint: hook.url }));
    const confirmation = await hook.next();
    assert.strictEqual(confirmation.headers['x-amz-sns-message-type'], 'SubscriptionConfirmation');
    assert.ok(confirmation.body.SigningCertURL.startsWith(CERT_BASE));
    await validate(confirmation.body);
    const { SubscriptionArn } = await sns.send(new ConfirmSubscriptionCommand({
      TopicArn, Token: confirmation.body.Token,
    }));
    assert.ok(SubscriptionArn.startsWith(`${TopicArn}:`));

    await sns.send(new PublishCommand({ TopicArn, Message: 'version one', Subject: 'v1' }));
    const n1 = await hook.next();
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
    hook.close();
    restore();
    await sluice.stop();
  }
});

test('fan-out to SQS with the v3 clients', async () => {
  const sluice = await startSluice();
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
