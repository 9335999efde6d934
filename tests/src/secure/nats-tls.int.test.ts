import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { persisterConfigSchema } from '@lfsync/persister';
import { sequencerConfigSchema, startSequencer } from '@lfsync/sequencer';
import { captureLogs, uniqueName, waitUntilReady } from '@lfsync/testkit';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { readiness, startConfiguredNats, type ConfiguredNats } from './nats-auth-server.ts';

const openssl = (dir: string, args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A throw-away CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCertificates(dir: string): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=lfs-test-ca',
  ]);
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    openssl(dir, ['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      ...(name === 'server' ? ['-extfile', 'san.ext'] : []),
    ]);
  }
}

describe('NATS over mutual TLS (real nats-server, certificates made by openssl)', () => {
  let nats: ConfiguredNats;
  beforeAll(async () => {
    nats = await startConfiguredNats((dir) => {
      makeCertificates(dir);
      const file = (name: string) => JSON.stringify(join(dir, name));
      return `tls { cert_file: ${file('server.pem')}, key_file: ${file('server.key')}, ca_file: ${file('ca.pem')}, verify: true }\n`;
    });
  });
  afterAll(() => nats.dispose());

  const tlsEnv = () => ({
    NATS_URL: `tls://127.0.0.1:${nats.port}`,
    NATS_TLS_CA_FILE: join(nats.dir, 'ca.pem'),
    NATS_TLS_CERT_FILE: join(nats.dir, 'client.pem'),
    NATS_TLS_KEY_FILE: join(nats.dir, 'client.key'),
  });

  it('a service with the CA and a client certificate connects and is ready', async () => {
    const logs = captureLogs('warn');
    const sequencer = await startSequencer(
      sequencerConfigSchema.parse({ ...tlsEnv(), BUS_PREFIX: uniqueName('p'), OPS_PORT: '0' }),
      logs.logger,
    );
    onTestFinished(() => sequencer.stop());
    await waitUntilReady(`http://127.0.0.1:${sequencer.opsPort}`, { timeoutMs: 10_000 });
    expect((await readiness(sequencer.opsPort)).checks).toEqual({ nats: true, serving: true });
  });

  it('the server refuses a client without a certificate, and one that does not trust the server', async () => {
    const { NATS_URL, NATS_TLS_CA_FILE } = tlsEnv();
    await expect(
      connect({ servers: NATS_URL, tls: { caFile: NATS_TLS_CA_FILE }, reconnect: false }),
    ).rejects.toThrow();
    await expect(connect({ servers: NATS_URL, tls: {}, reconnect: false })).rejects.toThrow();
  });

  it('the TLS settings parse in every service config', () => {
    expect(persisterConfigSchema.parse(tlsEnv()).NATS_TLS_KEY_FILE).toBe(join(nats.dir, 'client.key'));
  });
});
