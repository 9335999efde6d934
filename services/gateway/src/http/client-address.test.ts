import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddress, compileTrustedProxies } from './client-address.ts';

function request(peer: string, headers: Record<string, string> = {}): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever the headers say', () => {
    const address = clientAddress([]);
    expect(address(request('10.0.0.5', { 'x-forwarded-for': '1.2.3.4' }))).toBe('10.0.0.5');
    expect(address(request('10.0.0.5', { forwarded: 'for=1.2.3.4' }))).toBe('10.0.0.5');
  });

  it('takes X-Forwarded-For from a trusted proxy, and the socket peer from anyone else', () => {
    const address = clientAddress(['10.0.0.0/8']);
    expect(address(request('10.0.0.5', { 'x-forwarded-for': '203.0.113.7' }))).toBe('203.0.113.7');
    expect(address(request('198.51.100.9', { 'x-forwarded-for': '203.0.113.7' }))).toBe('198.51.100.9');
  });

  it('stops at the first untrusted hop, so a client cannot choose its address by sending the header', () => {
    const address = clientAddress(['10.0.0.0/8']);
    const spoofed = request('10.0.0.5', { 'x-forwarded-for': '1.1.1.1, 203.0.113.7, 10.1.2.3' });
    expect(address(spoofed)).toBe('203.0.113.7');
  });

  it('reads RFC 7239 Forwarded, with quoted IPv6, ports and several elements', () => {
    const address = clientAddress(['10.0.0.0/8', '::1']);
    expect(address(request('10.0.0.5', { forwarded: 'for=192.0.2.60;proto=https;by=10.0.0.5' }))).toBe(
      '192.0.2.60',
    );
    expect(address(request('::1', { forwarded: 'for="[2001:db8:cafe::17]:4711"' }))).toBe(
      '2001:db8:cafe::17',
    );
    expect(
      address(request('10.0.0.5', { forwarded: 'for=1.1.1.1, for="192.0.2.43:47011", for=10.9.9.9' })),
    ).toBe('192.0.2.43');
  });

  it('prefers Forwarded over X-Forwarded-For and rejects a malformed Forwarded', () => {
    const address = clientAddress(['127.0.0.1']);
    const both = request('127.0.0.1', { forwarded: 'for=192.0.2.1', 'x-forwarded-for': '192.0.2.2' });
    expect(address(both)).toBe('192.0.2.1');
    expect(address(request('127.0.0.1', { forwarded: 'for=' }))).toBeUndefined();
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address or a CIDR', () => {
    expect(() => compileTrustedProxies(['10.0.0.0/33'])).toThrow();
    expect(() => compileTrustedProxies(['proxy.internal'])).toThrow();
    expect(() => compileTrustedProxies(['loopback', '10.0.0.0/8', 'fd00::/8'])).not.toThrow();
  });
});
