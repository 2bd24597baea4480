/**
 * The bare `node:http` handler of bare-http.ts as a process of its own (`node bench/lib/bare-http-server.ts`):
 * prints its URL on the first line of stdout, answers until killed. The steady section measures its CPU
 * under the same load as the ingest service: the floor a Node HTTP server pays per request at that rate.
 */
import { startBareHttpServer } from './bare-http.ts';

const server = await startBareHttpServer();
process.stdout.write(`${server.url}\n`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
