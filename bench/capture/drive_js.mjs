// Make the captured SQS calls with the AWS SDK for JavaScript v3 (AWS JSON 1.0).
//   node drive_js.mjs PORT
// The SDK comes from bench/fauxqs/node_modules, where package.json pins it.
import { createRequire } from "node:module";
const require = createRequire(new URL("../fauxqs/package.json", import.meta.url));
const sqsLib = require("@aws-sdk/client-sqs");
const { SQSClient } = sqsLib;

const port = Number(process.argv[2]);
const endpoint = `http://127.0.0.1:${port}`;
const QueueUrl = `${endpoint}/000000000000/sluice-bench`;
const sqs = new SQSClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
  maxAttempts: 1,
});
const call = (name, input) => sqs.send(new sqsLib[`${name}Command`](input));

await call("SendMessage", { QueueUrl, MessageBody: "BODYMARKER0" });
await call("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 1 });
await call("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 10 });
await call("DeleteMessage", { QueueUrl, ReceiptHandle: "RHMARKER0" });
const ids = [...Array(10).keys()];
await call("SendMessageBatch", {
  QueueUrl,
  Entries: ids.map((i) => ({ Id: `m${i}`, MessageBody: `BODYMARKER${i}` })),
});
for (let k = 1; k <= 10; k++) {
  await call("DeleteMessageBatch", {
    QueueUrl,
    Entries: ids.slice(0, k).map((i) => ({ Id: `m${i}`, ReceiptHandle: `RHMARKER${i}` })),
  });
}
try {
  await call("GetQueueUrl", { QueueName: "ZZStop" });
} catch {}
console.log("protocol: json", "client-sqs", require("@aws-sdk/client-sqs/package.json").version);
