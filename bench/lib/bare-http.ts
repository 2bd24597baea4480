/** The HTTP ceiling: a bare `node:http` POST handler that reads the body and answers 202. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BareHttpServer {
  readonly url: string;
  readonly received: () => number;
  close(): Promise<void>;
}

export async function startBareHttpServer(): Promise<BareHttpServer> {
  let received = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received += 1;
      const body = `{"accepted":${Buffer.concat(chunks).length}}`;
      res.writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    received: () => received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
