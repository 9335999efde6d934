import { describe, expect, it } from 'vitest';
import { SubscriptionIndex } from './subscription-index.ts';

describe('SubscriptionIndex', () => {
  it('finds subscribers by exact name, prefix and "*", each once', () => {
    const index = new SubscriptionIndex<string>();
    index.add('doc:1', 'a');
    index.add('doc:*', 'a');
    index.add('doc:*', 'b');
    index.add('team/42/*', 'c');
    index.add('*', 'd');
    expect([...index.subscribers('doc:1')].sort()).toEqual(['a', 'b', 'd']);
    expect([...index.subscribers('team/42/x')].sort()).toEqual(['c', 'd']);
    expect([...index.subscribers('team/420')].sort()).toEqual(['d']);
  });

  it('holds nothing for a repository nobody subscribed to, and frees what unsubscribing leaves unused', () => {
    const index = new SubscriptionIndex<string>();
    index.add('doc:1', 'a');
    index.add('doc:*', 'b');
    expect(index.has('other')).toBe(false);
    expect(index.subscribers('other').size).toBe(0);
    expect(index.has('doc:2')).toBe(true);
    index.remove('doc:*', 'b');
    expect(index.has('doc:2')).toBe(false);
    index.remove('doc:1', 'a');
    expect(index.keys).toBe(0);
    expect(index.has('doc:1')).toBe(false);
  });

  it('keeps a prefix while another subscriber holds it', () => {
    const index = new SubscriptionIndex<string>();
    index.add('a*', 'x');
    index.add('a*', 'y');
    index.remove('a*', 'x');
    expect([...index.subscribers('ab')]).toEqual(['y']);
  });
});
