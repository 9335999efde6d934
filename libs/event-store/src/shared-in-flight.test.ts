import { describe, expect, it } from 'vitest';
import { sharedInFlight, sharedNextRun } from './shared-in-flight.ts';

/** A lookup whose answers the test releases, counting the calls per key. */
function heldLookup(share: typeof sharedInFlight = sharedInFlight) {
  const asked: string[] = [];
  const release: Array<(answer: string) => void> = [];
  const fail: Array<(err: Error) => void> = [];
  const lookup = share((key: string) => {
    asked.push(key);
    return new Promise<string>((resolve, reject) => {
      release.push(resolve);
      fail.push(reject);
    });
  });
  return { lookup, asked, release, fail };
}

describe('sharedInFlight', () => {
  it('asks once for the calls of a key made while it is being looked up, and again once it settled', async () => {
    const { lookup, asked, release } = heldLookup();
    const first = lookup('r:1');
    const second = lookup('r:1');
    const other = lookup('r:2');
    expect(asked).toEqual(['r:1', 'r:2']);
    release[0]!('batch 1');
    release[1]!('batch 2');
    await expect(Promise.all([first, second, other])).resolves.toEqual(['batch 1', 'batch 1', 'batch 2']);
    void lookup('r:1');
    expect(asked).toEqual(['r:1', 'r:2', 'r:1']);
  });

  it('hands a failure to every call that shared it, and asks again after it', async () => {
    const { lookup, asked, fail } = heldLookup();
    const calls = [lookup('r:1'), lookup('r:1')];
    fail[0]!(new Error('connection reset'));
    for (const call of calls) await expect(call).rejects.toThrow('connection reset');
    void lookup('r:1');
    expect(asked).toEqual(['r:1', 'r:1']);
  });
});

describe('sharedNextRun', () => {
  it('gives the calls made during a run the next run, started when that one ends', async () => {
    const { lookup, asked, release } = heldLookup(sharedNextRun);
    const first = lookup('r');
    const during = [lookup('r'), lookup('r'), lookup('r')];
    expect(asked).toEqual(['r']);
    release[0]!('head 5');
    await expect(first).resolves.toBe('head 5');
    await Promise.resolve();
    expect(asked).toEqual(['r', 'r']);
    const duringTheSecond = lookup('r');
    release[1]!('head 7');
    await expect(Promise.all(during)).resolves.toEqual(['head 7', 'head 7', 'head 7']);
    await Promise.resolve();
    expect(asked).toEqual(['r', 'r', 'r']);
    release[2]!('head 8');
    await expect(duringTheSecond).resolves.toBe('head 8');
    void lookup('r');
    expect(asked).toEqual(['r', 'r', 'r', 'r']);
  });

  it('runs keys apart, and starts the next run after a failed one', async () => {
    const { lookup, asked, release, fail } = heldLookup(sharedNextRun);
    const first = lookup('a');
    const other = lookup('b');
    const next = lookup('a');
    expect(asked).toEqual(['a', 'b']);
    fail[0]!(new Error('connection reset'));
    await expect(first).rejects.toThrow('connection reset');
    release[1]!('head of b');
    await expect(other).resolves.toBe('head of b');
    await Promise.resolve();
    expect(asked).toEqual(['a', 'b', 'a']);
    release[2]!('head of a');
    await expect(next).resolves.toBe('head of a');
  });
});
