import { describe, expect, it } from 'vitest';
import { syncUrlFor } from './sync-url.ts';

describe('syncUrlFor', () => {
  it('uses ws on http and wss on https, keeping the port', () => {
    expect(syncUrlFor({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/sync');
    expect(syncUrlFor({ protocol: 'https:', host: 'sync.example.com' })).toBe('wss://sync.example.com/sync');
  });
});
