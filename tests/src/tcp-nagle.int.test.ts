import { uniqueName } from '@lfsync/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStack, type TestStack } from './stack.ts';
import { authedClient, dartEvent } from './support.ts';

describe('TCP_NAGLE=readers', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({
      natsUrl: inject('natsUrl'),
      mongoUrl: inject('mongoUrl'),
      gatewayEnv: { TCP_NAGLE: 'readers' },
    });
  });
  afterAll(() => stack.stop());

  it('acks every push and delivers every event to a reader, in order', async () => {
    const repo = uniqueName('r');
    const reader = await authedClient(stack, 0, 'reader');
    const writer = await authedClient(stack, 0, 'writer');
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
