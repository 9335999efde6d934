import { describe, expect, it } from 'vitest';
import { startLoneGateway } from './gateway-ports.ts';

const status = async (url: string) => (await fetch(url)).status;

describe('the gateway ops port (OPS_PORT)', () => {
  it('serves /metrics, /readyz and /healthz on the ops port only; /api/health stays public', async () => {
    const gateway = await startLoneGateway({ OPS_PORT: '0' });
    const ops = `http://127.0.0.1:${String(gateway.opsPort)}`;
    const pub = `http://127.0.0.1:${gateway.port}`;
    expect(gateway.opsPort).not.toBe(gateway.port);
    expect(await (await fetch(`${ops}/metrics`)).text()).toContain('gateway_connections');
    expect(await status(`${ops}/readyz`)).toBe(200);
    expect(await status(`${ops}/healthz`)).toBe(200);
    for (const path of ['/metrics', '/readyz', '/healthz']) expect(await status(`${pub}${path}`)).toBe(404);
    expect(await status(`${pub}/api/health`)).toBe(200);
  });

  it('keeps them on the public port when OPS_PORT is unset (development, npm start)', async () => {
    const gateway = await startLoneGateway({});
    expect(gateway.opsPort).toBeUndefined();
    expect(await status(`http://127.0.0.1:${gateway.port}/metrics`)).toBe(200);
  });
});
