import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  initiateAndAwaitPrimaryScript,
  mongoReplicaSetDefinitions,
  mongoUrlOf,
  mongoshEval,
  replicaSetConfig,
  type ReplicaSetConfig,
} from './mongo-container.ts';

/** Runs the mongosh script against a stand-in for mongosh's `rs`, `db` and `quit`. */
function runScript(script: string, server: { initiated: boolean; primary: boolean }) {
  const initiated: unknown[] = [];
  let exitCode: number | undefined;
  const rs = {
    status: () => {
      if (!server.initiated)
        throw Object.assign(new Error('no replset config'), { codeName: 'NotYetInitialized' });
      return { ok: 1 };
    },
    initiate: (config: unknown) => {
      initiated.push(config);
      server.initiated = true;
    },
  };
  const db = { hello: () => ({ isWritablePrimary: server.primary }) };
  runInNewContext(script, { rs, db, quit: (code: number) => (exitCode = code) });
  return { initiated, exitCode };
}

describe('MongoDB replica set container definitions', () => {
  it('a single-member set by default: mongo:7 started with --replSet rs0', () => {
    const [member, ...others] = mongoReplicaSetDefinitions();
    expect(others).toEqual([]);
    expect(member?.image).toBe('mongo:7');
    expect(member?.command).toEqual(['--replSet', 'rs0', '--bind_ip_all', '--port', '27017']);
    expect(member?.exposedPorts).toEqual([27017]);
    expect(member?.alias).toBe('mongo-0');
  });

  it('the initiation document names every member by alias; member 0 is preferred as primary', () => {
    expect(replicaSetConfig(3)).toEqual({
      _id: 'rs0',
      members: [
        { _id: 0, host: 'mongo-0:27017', priority: 2 },
        { _id: 1, host: 'mongo-1:27017', priority: 1 },
        { _id: 2, host: 'mongo-2:27017', priority: 1 },
      ],
    });
    expect(() => replicaSetConfig(0)).toThrow(RangeError);
    expect(() => replicaSetConfig(8)).toThrow(RangeError);
  });

  it('only member 0 initiates and waits for a primary; the others wait until they accept connections', () => {
    const members = mongoReplicaSetDefinitions(3);
    expect(members.map((m) => m.waitFor.map((w) => w.kind))).toEqual([['log', 'command'], ['log'], ['log']]);
    const accepting = members[1]?.waitFor[0];
    const pattern = accepting?.kind === 'log' ? accepting.pattern : /never/;
    expect(pattern.test('{"t":{},"s":"I","c":"NETWORK","id":23016,"msg":"Waiting for connections"}')).toBe(
      true,
    );
    const initiate = members[0]?.waitFor[1];
    expect(initiate?.kind === 'command' ? initiate.command : '').toMatch(
      /^mongosh --quiet --norc --eval '.*'$/,
    );
  });

  it('the wait script initiates once, then succeeds only when the member is a writable primary', () => {
    const config: ReplicaSetConfig = replicaSetConfig(3);
    const script = initiateAndAwaitPrimaryScript(config);
    const server = { initiated: false, primary: false };

    const first = runScript(script, server);
    expect(first.initiated).toEqual([config]);
    expect(first.exitCode).toBe(1);

    const second = runScript(script, server);
    expect(second.initiated).toEqual([]);
    expect(second.exitCode).toBe(1);

    server.primary = true;
    expect(runScript(script, server)).toEqual({ initiated: [], exitCode: 0 });
  });

  it('the wait script fails (and is retried) on any other error than an uninitiated set', () => {
    const script = initiateAndAwaitPrimaryScript(replicaSetConfig());
    const unreachable = () => {
      throw Object.assign(new Error('down'), { codeName: 'HostUnreachable' });
    };
    const context = {
      rs: { status: unreachable, initiate: () => expect.unreachable('initiated while unreachable') },
      db: { hello: () => ({ isWritablePrimary: true }) },
      quit: () => expect.unreachable('quit after an unexpected error'),
    };
    expect(() => {
      runInNewContext(script, context);
    }).toThrow('down');
  });

  it('the shell command quotes the script whole and refuses one that would break the quoting', () => {
    expect(mongoshEval('quit(0);')).toBe("mongosh --quiet --norc --eval 'quit(0);'");
    expect(() => mongoshEval("print('x')")).toThrow(/single quote/);
  });

  it('the host connects to the primary directly (member names resolve only inside the network)', () => {
    expect(mongoUrlOf('localhost', 32768)).toBe('mongodb://localhost:32768/?directConnection=true');
  });
});
