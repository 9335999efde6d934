import { describe, expect, it } from 'vitest';
import { busNames } from './subjects.ts';

describe('busNames', () => {
  it('builds subject-safe names from a prefix', () => {
    const names = busNames('t1');
    expect(names.logSubject('counter_log')).toBe('t1.log.counter_log');
    expect(names.commitSubject('user')).toBe('t1.commit.user');
    expect(names.presenceSubject('doc:1')).toBe('t1.presence.doc:1');
    expect(names.logStream).toBe('T1_LOG');
    expect(names.eventIndexKey('user', 'a/b+c=')).toMatch(/^user\.[A-Za-z0-9_-]+$/);
  });
  it('encodes distinct event ids to distinct keys', () => {
    const names = busNames();
    expect(names.eventIndexKey('r', 'ab')).not.toBe(names.eventIndexKey('r', 'a.b'));
    expect(names.eventIndexKey('r', 'é')).toMatch(/^r\.[A-Za-z0-9_-]+$/);
  });
  it('refuses a prefix that is not a subject token', () => {
    expect(() => busNames('a.b')).toThrow();
    expect(() => busNames('')).toThrow();
  });
});

describe('eventIndexKey', () => {
  it('keeps the keys of names without ":" and writes ":" as a KV-safe escape', () => {
    const names = busNames();
    expect(names.eventIndexKey('team/1', 'e')).toBe(`team/1.${names.eventIndexKey('x', 'e').slice(2)}`);
    expect(names.eventIndexKey('doc:1', 'e')).toMatch(/^doc=3A1\.[A-Za-z0-9_-]+$/);
    expect(names.eventIndexKey('doc:1', 'e')).not.toBe(names.eventIndexKey('doc1', 'e'));
  });
  it('writes event ids as unpadded base64url of their UTF-8 (the keys already stored in buckets)', () => {
    const names = busNames();
    expect(names.eventIndexKey('r', 'a/b+c=')).toBe('r.YS9iK2M9');
    expect(names.eventIndexKey('r', '0b0e2a9c-6a4e-4c1b-9a43-8f0e8a3b1c2d')).toBe(
      'r.MGIwZTJhOWMtNmE0ZS00YzFiLTlhNDMtOGYwZThhM2IxYzJk',
    );
    expect(names.eventIndexKey('r', 'é')).toBe('r.w6k');
    expect(names.eventIndexKey('r', '日本')).toBe('r.5pel5pys');
  });
});
