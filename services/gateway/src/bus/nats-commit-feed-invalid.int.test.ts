import { busNames } from '@lfsync/contracts';
import { systemClock } from '@lfsync/ports';
import { captureLogs, sequencedBatch, uniqueName } from '@lfsync/testkit';
import { connect } from '@nats-io/transport-node';
import { expect, inject, it, onTestFinished } from 'vitest';
import { NatsCommitFeed } from './nats-commit-feed.ts';

it('rejects a malformed commit broadcast (logged, counted) and goes on with the next ones', async () => {
  const names = busNames(uniqueName('p'));
  const [nc, publisher] = [
    await connect({ servers: inject('natsUrl') }),
    await connect({ servers: inject('natsUrl') }),
  ];
  onTestFinished(async () => {
    await Promise.all([nc.close(), publisher.close()]);
  });
  const logs = captureLogs('error');
  const received: string[][] = [];
  let rejected = 0;
  const feed = new NatsCommitFeed({
    nc,
    names,
    handlers: {
      onCommit: (batch, _at, eventsJson) => received.push([...(eventsJson ?? ['(none)'])]),
      wants: () => true,
      stopped: () => undefined,
      rejected: () => (rejected += 1),
    },
    clock: systemClock,
    lingerMs: 0,
    logger: logs.logger,
  });
  onTestFinished(() => feed.close());
  feed.follow('doc');
  await feed.ready('doc');
  const good = sequencedBatch(1, 2, 'doc');
  const subject = names.commitSubject('doc');
  publisher.publish(subject, '{"repository":"doc","fromSequence":1,"toSequence":1,"events":[{');
  publisher.publish(subject, JSON.stringify({ ...good, toSequence: 3 }));
  publisher.publish(subject, new Uint8Array([0xff, 0x00]));
  publisher.publish(subject, JSON.stringify(good));
  await publisher.flush();
  await nc.flush();
  expect(rejected).toBe(3);
  expect(received).toEqual([good.events.map((e) => JSON.stringify(e))]);
  expect(logs.lines.filter((line) => line['msg'] === 'invalid commit message ignored')).toHaveLength(3);
});
