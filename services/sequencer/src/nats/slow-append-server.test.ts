import { captureLogs } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { appendsReloadBlocksOn, warnOfSlowAppends } from './slow-append-server.ts';

describe('appendsReloadBlocksOn', () => {
  it('names the 2.12 releases before 2.12.7, release candidates included', () => {
    for (const version of ['2.12.0', '2.12.4', '2.12.4-RC.6', '2.12.6'])
      expect(appendsReloadBlocksOn(version)).toBe(true);
  });

  it('leaves out the fixed releases, other minors and versions it cannot read', () => {
    for (const version of ['2.12.7', '2.12.15', '2.13.0', '2.11.9', '3.0.0', '2.12', '', undefined])
      expect(appendsReloadBlocksOn(version)).toBe(false);
  });

  it('warns with the server version on such a server, and says nothing on a fixed one', () => {
    const logs = captureLogs('warn');
    warnOfSlowAppends('2.12.7', logs.logger);
    expect(logs.lines).toEqual([]);
    warnOfSlowAppends('2.12.4', logs.logger);
    expect(logs.lines).toEqual([expect.objectContaining({ level: 40, natsServer: '2.12.4' })]);
  });
});
