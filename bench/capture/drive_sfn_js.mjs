// Make the captured Step Functions calls with the AWS SDK for JavaScript v3 (AWS JSON 1.0).
//   node drive_sfn_js.mjs PORT
// The SDK comes from tests/e2e/js/node_modules (@aws-sdk/client-sfn, pinned by its lock).
// StartSyncExecution: the SDK prefixes the host with "sync-" unless disableHostPrefix is
// set, which every local endpoint needs (the Host header is a placeholder anyway).
import { createRequire } from "node:module";
const require = createRequire(new URL("../../tests/e2e/js/package.json", import.meta.url));
const sfnLib = require("@aws-sdk/client-sfn");
const { SFNClient } = sfnLib;

const port = Number(process.argv[2]);
const endpoint = `http://127.0.0.1:${port}`;
const sfn = new SFNClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDBENCH", secretAccessKey: "bench-secret" },
  maxAttempts: 1,
  disableHostPrefix: true,
});
const call = (name, input) => sfn.send(new sfnLib[`${name}Command`](input));
const arn = (type) => `arn:aws:states:us-east-1:000000000000:stateMachine:SMARNMARKER${type}`;

await call("StartExecution", { stateMachineArn: arn("standard"), input: "INPUTMARKER" });
await call("StartSyncExecution", { stateMachineArn: arn("express"), input: "INPUTMARKER" });
try {
  await call("ListStateMachines", {});  // the capture server's stop signal, not recorded
} catch {}
console.log("protocol: json", "client-sfn", require("@aws-sdk/client-sfn/package.json").version);
