import { afterAll, beforeAll, inject } from 'vitest';
import { startStack, type StackOptions, type TestStack } from './stack.ts';

/**
 * A stack on the test run's NATS and MongoDB-wire servers, started before the file's tests and stopped after
 * them; call the returned function inside a test to get it.
 */
export function useStack(options: Omit<StackOptions, 'natsUrl' | 'mongoUrl'> = {}): () => TestStack {
  let stack: TestStack | undefined;
  beforeAll(async () => {
    stack = await startStack({ natsUrl: inject('natsUrl'), mongoUrl: inject('mongoUrl'), ...options });
  });
  afterAll(() => stack?.stop());
  return () => {
    if (stack === undefined) throw new Error('useStack: used before its beforeAll ran');
    return stack;
  };
}
