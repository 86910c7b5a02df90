// The AWS SDK for JavaScript v3 against Sluice started with: sluice --init examples/init.json
const { SQSClient, GetQueueUrlCommand, ReceiveMessageCommand } = require('@aws-sdk/client-sqs');
const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');
const { SFNClient, StartSyncExecutionCommand } = require('@aws-sdk/client-sfn');

const config = {
  endpoint: process.env.AWS_ENDPOINT_URL || 'http://localhost:4566',
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
};

async function main() {
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
  await sns.send(new PublishCommand({
    TopicArn: 'arn:aws:sns:us-east-1:000000000000:order-events',
    Message: 'order 9',
    MessageAttributes: { kind: { DataType: 'String', StringValue: 'created' } },
  }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
  console.log(Messages[0].Body);
  // StartSyncExecution is sent to "sync-<host>"; disableHostPrefix keeps the host as given.
  const sfn = new SFNClient({ ...config, disableHostPrefix: true });
  const { output } = await sfn.send(new StartSyncExecutionCommand({
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:quote-delivery',
    input: JSON.stringify({ express: false }),
  }));
  console.log(JSON.parse(output).delivery);
}

main().catch((e) => { console.error(e); process.exit(1); });
