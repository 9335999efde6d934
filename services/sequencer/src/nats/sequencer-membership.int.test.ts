import { busNames } from '@lfsync/contracts';
import { captureLogs, uniqueName } from '@lfsync/testkit';
import { connect } from '@nats-io/transport-node';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { SequencerMembership } from './sequencer-membership.ts';

const logger = captureLogs('fatal').logger;
const repositories = Array.from({ length: 200 }, (_, i) => `repo${i}`);

/** Polls until `done` holds (heartbeats take a moment to arrive, longer on a loaded machine). */
async function eventually(done: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

describe('sequencer membership', () => {
  it('gives every repository one owner that all replicas agree on, spread over them, and moves only the leaver’s', async () => {
    const nc = await connect({ servers: inject('natsUrl') });
    onTestFinished(() => nc.close());
    const names = busNames(uniqueName('p'));
    const members = [0, 1, 2].map(() => new SequencerMembership(nc, names, logger));
    for (const m of members) m.start();
    onTestFinished(() => members.forEach((m) => m.stop()));
    const views = () => repositories.map((r) => members.map((m) => m.owner(r)));
    await eventually(() => views().every((v) => v.every((o) => o === v[0])));

    const owners = views();
    expect(owners.every((views) => views.every((o) => o === views[0]))).toBe(true);
    for (const m of members) {
      const owned = owners.filter((views) => views[0] === m.id).length;
      expect(owned).toBeGreaterThan(30);
    }

    const leaver = members[2] as SequencerMembership;
    leaver.stop();
    await eventually(() =>
      repositories.every((r) => members[0]?.owner(r) !== leaver.id && members[1]?.owner(r) !== leaver.id),
    );
    for (const [i, repository] of repositories.entries()) {
      const before = owners[i]?.[0];
      const after = members.slice(0, 2).map((m) => m.owner(repository));
      expect(after[0]).toBe(after[1]);
      if (before !== leaver.id) expect(after[0]).toBe(before);
      else expect(after[0]).not.toBe(leaver.id);
    }
  });
});
