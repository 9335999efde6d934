import { createServer } from 'node:net';

/** Ports this process was given: one is not given twice, since it is listened on only later. */
const given = new Set<number>();

/**
 * A TCP port that was free a moment ago on 127.0.0.1, and not given by this function before: the kernel
 * may offer a port again once its probe closed, and two servers of one stack then collided.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probePort();
    if (given.has(port)) continue;
    given.add(port);
    return port;
  }
}

function probePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
