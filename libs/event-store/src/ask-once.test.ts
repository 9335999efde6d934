import { describe, expect, it } from 'vitest';
import { askOnce } from './ask-once.ts';

describe('askOnce', () => {
  it('keeps an answer, and asks again after a failure', async () => {
    const answers = [Promise.reject(new Error('database not up')), Promise.resolve(true)];
    let asked = 0;
    const isFerretDb = askOnce(() => answers[asked++] as Promise<boolean>);
    await expect(isFerretDb()).rejects.toThrow('database not up');
    await expect(isFerretDb()).resolves.toBe(true);
    await expect(isFerretDb()).resolves.toBe(true);
    expect(asked).toBe(2);
  });
});
