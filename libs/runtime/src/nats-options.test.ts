import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createUser } from '@nats-io/nkeys';
import { describe, expect, it } from 'vitest';
import { natsConnectionOptions, natsIdentity } from './nats-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'lfs-nats-options-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('natsConnectionOptions', () => {
  it('a URL alone: the servers, no credentials, no TLS', () => {
    expect(natsConnectionOptions({ NATS_URL: 'nats://a:4222,nats://b:4222' })).toEqual({
      servers: ['nats://a:4222', 'nats://b:4222'],
    });
  });

  it('user and password', () => {
    expect(
      natsConnectionOptions({ NATS_URL: 'nats://a:4222', NATS_USER: 'gw', NATS_PASSWORD: 'pw' }),
    ).toEqual({ servers: ['nats://a:4222'], user: 'gw', pass: 'pw' });
  });

  it('an nkey seed file becomes an authenticator that signs the server nonce', () => {
    const user = createUser();
    const seed = file('user.nk', `${new TextDecoder().decode(user.getSeed())}\n`);
    const options = natsConnectionOptions({ NATS_URL: 'nats://a:4222', NATS_NKEY_SEED_FILE: seed });
    const auth = options.authenticator;
    if (typeof auth !== 'function') throw new Error('no authenticator');
    const nonce = 'abc123';
    const reply = auth(nonce) as { nkey?: unknown; sig?: unknown } | undefined;
    expect(reply?.nkey).toBe(user.getPublicKey());
    expect(reply?.sig).toEqual(expect.any(String));
  });

  it('TLS files are read up front; a missing file is a configuration error naming variable and path', () => {
    const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const tls = natsConnectionOptions({ NATS_URL: 'tls://a:4222', NATS_TLS_CA_FILE: ca }).tls;
    expect(tls?.ca).toContain('BEGIN CERTIFICATE');
    expect(tls?.cert).toBeUndefined();
    expect(() =>
      natsConnectionOptions({ NATS_URL: 'tls://a:4222', NATS_TLS_CA_FILE: join(dir, 'missing.pem') }),
    ).toThrow(`invalid configuration: NATS_TLS_CA_FILE ${join(dir, 'missing.pem')} cannot be read (ENOENT)`);
    expect(() =>
      natsConnectionOptions({ NATS_URL: 'nats://a:4222', NATS_CREDS_FILE: join(dir, 'none.creds') }),
    ).toThrow('NATS_CREDS_FILE');
  });

  it('identity for logs names the user or the file, never the secret', () => {
    expect(natsIdentity({ NATS_URL: 'x', NATS_USER: 'gw', NATS_PASSWORD: 'pw' })).toEqual({ user: 'gw' });
    expect(natsIdentity({ NATS_URL: 'x', NATS_CREDS_FILE: '/s/gw.creds' })).toEqual({
      credsFile: '/s/gw.creds',
    });
  });
});
