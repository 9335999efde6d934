import { uniqueName } from '@lfsync/testkit';
import { describe, expect, it } from 'vitest';
import { authedClient, dartEvent } from './support.ts';
import { useStack } from './use-stack.ts';

describe('TCP_NAGLE=readers', () => {
  const stack = useStack({ gatewayEnv: { TCP_NAGLE: 'readers' } });

  it('acks every push and delivers every event to a reader, in order', async () => {
    const repo = uniqueName('r');
    const reader = await authedClient(stack(), 0, 'reader');
    const writer = await authedClient(stack(), 0, 'writer');
    for (let i = 1; i <= 50; i++) {
      writer.send({ type: 'push_event', repository: repo, event: dartEvent(`n${i}`) });
      await writer.waitForType('ack');
    }
    await expect.poll(() => reader.eventsOf(repo).length).toBe(50);
    expect(reader.eventsOf(repo).map((e) => e.serverSequence)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await Promise.all([reader.close(), writer.close()]);
  });
});
