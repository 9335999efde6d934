import { captureLogs } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { natsServerFault, warnOfNatsServerFaults } from './nats-server-faults.ts';

describe('natsServerFault', () => {
  it('names the slow appends of the 2.12 releases before 2.12.7, release candidates included', () => {
    for (const version of ['2.12.0', '2.12.4', '2.12.4-RC.6', '2.12.6'])
      expect(natsServerFault(version)).toMatch(/re-reads the log block/);
  });

  it('names the stale KV index of 2.12.7 to 2.12.9', () => {
    for (const version of ['2.12.7', '2.12.9', '2.12.8-RC.1'])
      expect(natsServerFault(version)).toMatch(/KV entries/);
  });

  it('leaves out the fixed releases, other minors and versions it cannot read', () => {
    for (const version of ['2.12.10', '2.12.15', '2.13.0', '2.11.9', '3.0.0', '2.12', '', undefined])
      expect(natsServerFault(version)).toBeUndefined();
  });

  it('warns with the server version on such a server, and says nothing on a fixed one', () => {
    const logs = captureLogs('warn');
    warnOfNatsServerFaults('2.12.15', logs.logger);
    expect(logs.lines).toEqual([]);
    warnOfNatsServerFaults('2.12.4', logs.logger);
    expect(logs.lines).toEqual([expect.objectContaining({ level: 40, natsServer: '2.12.4' })]);
  });
});
