// Start and stop a real sluice binary for the JS SDK v3 tests (node --test).
'use strict';
const { spawn } = require('node:child_process');

const LISTEN_RE = /listening on http:\/\/(\[[^\]]+\]|[^:\s]+):(\d+)/;

// Servers still running when the test process ends (a test that failed before its
// stop(), an uncaught error) are killed with it, so that none outlives the run. The
// child and its pipes are unref'd: they alone do not keep the test process alive.
const started = new Set();
process.on('exit', () => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

async function startSluice(args = [], env = {}) {
  const bin = process.env.SLUICE_BIN;
  if (!bin) throw new Error('SLUICE_BIN is not set (ctest sets it)');
  const proc = spawn(bin, ['--port', '0', '--host', '127.0.0.1', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(proc);
  proc.unref();
  proc.stdout.unref();
  proc.stderr.unref();
  let log = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`sluice did not start:\n${log}`));
    }, 10000);
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
        proc.ref();  // wait for its exit even if nothing else keeps the process alive
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
