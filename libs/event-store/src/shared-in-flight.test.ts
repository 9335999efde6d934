import { describe, expect, it } from 'vitest';
import { sharedInFlight } from './shared-in-flight.ts';

/** A lookup whose answers the test releases, counting the calls per key. */
function heldLookup() {
  const asked: string[] = [];
  const release: Array<(answer: string) => void> = [];
  const fail: Array<(err: Error) => void> = [];
  const lookup = sharedInFlight((key: string) => {
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
