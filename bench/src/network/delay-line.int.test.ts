import { execFile, execFileSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { netnsUnavailable } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { startDelayLine } from './delay-line.ts';

function unavailable(): string | undefined {
  const reason = netnsUnavailable();
  if (reason !== undefined) return reason;
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'no Go toolchain to build bench/delay-line';
  }
}

/** Five TCP round trips from inside the namespace; prints their times in ms as JSON. */
const CLIENT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const s = net.connect(Number(port), host, async () => {
  s.setNoDelay(true);
  const rtts = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await new Promise((resolve) => { s.once('data', resolve); s.write('x'); });
    rtts.push(performance.now() - t);
  }
  console.log(JSON.stringify(rtts));
  s.destroy();
});
`;

const reason = unavailable();

describe('delay line (bench/delay-line)', () => {
  it.skipIf(reason !== undefined)(
    `carries TCP from its namespace to this one with the delay it was given each way${reason === undefined ? '' : ` (skipped: ${reason})`}`,
    async () => {
      const line = await startDelayLine(25);
      const server = createServer((socket) => socket.on('data', (data) => socket.write(data)));
      await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const { stdout } = await promisify(execFile)('ip', [
          'netns',
          'exec',
          line.namespace,
          process.execPath,
          '-e',
          CLIENT,
          line.serverAddress,
          String(port),
        ]);
        const rtts = JSON.parse(stdout) as number[];
        expect(rtts).toHaveLength(5);
        for (const rtt of rtts) {
          expect(rtt).toBeGreaterThanOrEqual(50);
          expect(rtt).toBeLessThan(500);
        }
      } finally {
        server.close();
        line.dispose();
      }
    },
    120_000,
  );
});
