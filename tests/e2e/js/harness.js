// Start and stop a real sluice binary for the JS SDK v3 tests (node --test).
'use strict';
const { spawn } = require('node:child_process');

const LISTEN_RE = /listening on http:\/\/(\[[^\]]+\]|[^:\s]+):(\d+)/;

async function startSluice(args = [], env = {}) {
  const bin = process.env.SLUICE_BIN;
  if (!bin) throw new Error('SLUICE_BIN is not set (ctest sets it)');
  const proc = spawn(bin, ['--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sluice did not start:\n${log}`)), 10000);
    const onData = (d) => {
      log += d.toString();
      const m = LISTEN_RE.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[2]));
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sluice exited with ${code}:\n${log}`));
    });
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    port,
    endpoint,
    log: () => log,
    // SIGTERM and wait for the exit code.
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve(proc.exitCode);
        proc.removeAllListeners('exit');
        proc.on('exit', (code) => resolve(code));
        proc.kill('SIGTERM');
      }),
  };
}

// Client options for any @aws-sdk/client-* v3 client pointed at sluice.
function clientConfig(endpoint, region = 'us-east-1') {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

module.exports = { startSluice, clientConfig };
