import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { freeSubnet } from '@lfsync/testkit';

/**
 * A network namespace behind a link with a fixed one-way delay and a 1,500-byte MTU, to this namespace:
 * clients run in it, servers here. The kernels here have no netem, so the delay is a small Go program
 * between two tun devices (bench/delay-line). Needs root, iproute2 and Go.
 */
export interface DelayLine {
  /** The namespace the clients run in (`ip netns exec <namespace> …`). */
  readonly namespace: string;
  /** The address, on this side, that clients in the namespace reach servers here by. */
  readonly serverAddress: string;
  dispose(): void;
}

const source = resolve(import.meta.dirname, '../../delay-line');
const binary = join(homedir(), '.cache/local-first-sync/bin/delay-line');
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

function buildOnce(): void {
  const built = existsSync(binary) ? statSync(binary).mtimeMs : 0;
  if (built > statSync(join(source, 'main.go')).mtimeMs) return;
  mkdirSync(join(binary, '..'), { recursive: true });
  execFileSync('go', ['build', '-o', binary, '.'], { cwd: source, stdio: 'inherit' });
}

export async function startDelayLine(oneWayMs: number): Promise<DelayLine> {
  buildOnce();
  const id = randomBytes(2).toString('hex');
  const [namespace, clientSide, serverSide] = [`lfsdl${id}`, `dl${id}c`, `dl${id}s`];
  const subnet = freeSubnet();
  const [clientAddress, serverAddress] = [`${subnet}.1`, `${subnet}.2`];
  const line: ChildProcess = spawn(binary, [`${oneWayMs}ms`, clientSide, serverSide], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dispose = () => {
    line.kill();
    try {
      ip('netns', 'del', namespace);
    } catch {
      // Never created.
    }
  };
  try {
    const first = await createInterface({ input: line.stdout! })[Symbol.asyncIterator]().next();
    if (first.value !== 'ready') throw new Error('delay-line did not start');
    ip('netns', 'add', namespace);
    ip('link', 'set', clientSide, 'netns', namespace);
    ip('-n', namespace, 'link', 'set', 'lo', 'up');
    ip('-n', namespace, 'addr', 'add', clientAddress, 'peer', serverAddress, 'dev', clientSide);
    ip('-n', namespace, 'link', 'set', clientSide, 'mtu', '1500', 'up');
    ip('addr', 'add', serverAddress, 'peer', clientAddress, 'dev', serverSide);
    ip('link', 'set', serverSide, 'mtu', '1500', 'up');
  } catch (err) {
    dispose();
    throw err;
  }
  return { namespace, serverAddress, dispose };
}
