// Make the captured SNS call with the AWS SDK for JavaScript v3 (AWS Query).
//   node drive_sns_js.mjs PORT
// The SDK comes from tests/e2e/js/node_modules (@aws-sdk/client-sns, pinned by its lock).
import { createRequire } from "node:module";
const require = createRequire(new URL("../../tests/e2e/js/package.json", import.meta.url));
const snsLib = require("@aws-sdk/client-sns");
const { SNSClient } = snsLib;

const port = Number(process.argv[2]);
const sns = new SNSClient({
  endpoint: `http://127.0.0.1:${port}`,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
  maxAttempts: 1,
});
const call = (name, input) => sns.send(new snsLib[`${name}Command`](input));

await call("Publish", {
  TopicArn: "arn:aws:sns:us-east-1:000000000000:TOPICARNMARKER",
  Message: "BODYMARKER0",
});
try {
  await call("ListTopics", {});  // the capture server's stop signal, not recorded
} catch {}
console.log("protocol: query", "client-sns", require("@aws-sdk/client-sns/package.json").version);
