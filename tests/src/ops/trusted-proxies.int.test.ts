import { describe, expect, it } from 'vitest';
import { connectFrom, startLoneGateway, startProxy } from './gateway-ports.ts';

// Clients on distinct loopback addresses, the proxy and the gateway on 127.0.0.1.
const ALICE = '127.0.0.2';
const BOB = '127.0.0.3';

describe('the per-IP connection limit behind a reverse proxy', () => {
  it('without TRUSTED_PROXIES counts every client as the proxy, so one client throttles everyone', async () => {
    const gateway = await startLoneGateway({ MAX_CONNECTIONS_PER_IP: '2' });
    const proxy = await startProxy(gateway.port);
    expect(await connectFrom(proxy, ALICE)).toBe('open');
    expect(await connectFrom(proxy, ALICE)).toBe('open');
    expect(await connectFrom(proxy, BOB)).toBe(503);
  });

  it('with the proxy trusted counts each client by X-Forwarded-For', async () => {
    const gateway = await startLoneGateway({ MAX_CONNECTIONS_PER_IP: '2', TRUSTED_PROXIES: '127.0.0.1' });
    const proxy = await startProxy(gateway.port);
    expect(await connectFrom(proxy, ALICE)).toBe('open');
    expect(await connectFrom(proxy, ALICE)).toBe('open');
    expect(await connectFrom(proxy, ALICE)).toBe(503);
    expect(await connectFrom(proxy, BOB)).toBe('open');
    expect(await connectFrom(proxy, BOB)).toBe('open');
  });

  it('ignores what a client writes into X-Forwarded-For itself', async () => {
    const gateway = await startLoneGateway({ MAX_CONNECTIONS_PER_IP: '1', TRUSTED_PROXIES: '127.0.0.1' });
    const proxy = await startProxy(gateway.port);
    expect(await connectFrom(proxy, ALICE, { 'x-forwarded-for': '198.51.100.1' })).toBe('open');
    expect(await connectFrom(proxy, ALICE, { 'x-forwarded-for': '198.51.100.2' })).toBe(503);
  });

  it('does not trust forwarding headers from a client that reaches the gateway directly', async () => {
    const gateway = await startLoneGateway({ MAX_CONNECTIONS_PER_IP: '1', TRUSTED_PROXIES: '127.0.0.1' });
    expect(await connectFrom(gateway.port, ALICE, { 'x-forwarded-for': '198.51.100.1' })).toBe('open');
    expect(await connectFrom(gateway.port, ALICE, { forwarded: 'for=198.51.100.2' })).toBe(503);
  });

  it('reads RFC 7239 Forwarded from a trusted proxy and refuses a malformed one with 400', async () => {
    const gateway = await startLoneGateway({ MAX_CONNECTIONS_PER_IP: '1', TRUSTED_PROXIES: '127.0.0.1' });
    // 127.0.0.1 is the trusted proxy here: it connects directly and names the client itself.
    expect(await connectFrom(gateway.port, '127.0.0.1', { forwarded: 'for=198.51.100.1;proto=https' })).toBe(
      'open',
    );
    expect(await connectFrom(gateway.port, '127.0.0.1', { forwarded: 'for="[2001:db8::1]:443"' })).toBe(
      'open',
    );
    expect(await connectFrom(gateway.port, '127.0.0.1', { forwarded: 'for=198.51.100.1' })).toBe(503);
    expect(await connectFrom(gateway.port, '127.0.0.1', { forwarded: 'for=' })).toBe(400);
  });
});
