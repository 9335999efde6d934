import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commonConfigShape, loadConfig, mongoClientOptions, mongoConfigShape } from './config.ts';
import { credentialProblems } from './credentials-config.ts';
import { isMongoAuthError } from './mongo-errors.ts';

const schema = z.object({ ...commonConfigShape, ...mongoConfigShape });

describe('credential settings', () => {
  it('accepts each NATS method alone and no credentials at all', () => {
    expect(() => loadConfig(schema, {})).not.toThrow();
    expect(loadConfig(schema, { NATS_USER: 'seq', NATS_PASSWORD: 's3cret' }).NATS_USER).toBe('seq');
    expect(() => loadConfig(schema, { NATS_CREDS_FILE: '/run/secrets/nats.creds' })).not.toThrow();
    expect(() => loadConfig(schema, { NATS_NKEY_SEED_FILE: '/run/secrets/seed.nk' })).not.toThrow();
  });

  it('rejects a user without a password, two methods at once and half a client certificate', () => {
    expect(() => loadConfig(schema, { NATS_USER: 'seq' })).toThrow(
      'NATS_USER and NATS_PASSWORD must be set together',
    );
    expect(() =>
      loadConfig(schema, { NATS_USER: 'a', NATS_PASSWORD: 'b', NATS_CREDS_FILE: '/x.creds' }),
    ).toThrow('choose one NATS authentication method, not NATS_USER/NATS_PASSWORD and NATS_CREDS_FILE');
    expect(() => loadConfig(schema, { NATS_TLS_CERT_FILE: '/tls/cert.pem' })).toThrow(
      'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together',
    );
    expect(() => loadConfig(schema, { NATS_PASSWORD: '' })).toThrow('NATS_PASSWORD must not be empty');
  });

  it('rejects a MongoDB user without a password and a user given twice', () => {
    expect(() => loadConfig(schema, { MONGO_PASSWORD: 'pw' })).toThrow(
      'MONGO_USERNAME and MONGO_PASSWORD must be set together',
    );
    expect(
      credentialProblems({ MONGO_URL: 'mongodb://u:p@db:27017/', MONGO_USERNAME: 'u', MONGO_PASSWORD: 'p' }),
    ).toEqual([expect.stringContaining('MONGO_URL already names a user')]);
  });

  it('never puts a secret into the error message', () => {
    let message = '';
    try {
      loadConfig(schema, { NATS_PASSWORD: 'hunter2-very-secret', MONGO_PASSWORD: 'mongo-very-secret' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('NATS_USER and NATS_PASSWORD must be set together');
    expect(message).not.toContain('very-secret');
  });
});

describe('mongoClientOptions', () => {
  it('adds credentials and TLS to the shared client options', () => {
    expect(
      mongoClientOptions({ MONGO_USERNAME: 'persister', MONGO_PASSWORD: 'pw', MONGO_TLS_CA_FILE: '/ca.pem' }),
    ).toEqual({
      serverSelectionTimeoutMS: 5_000,
      socketTimeoutMS: 30_000,
      auth: { username: 'persister', password: 'pw' },
      tls: true,
      tlsCAFile: '/ca.pem',
    });
  });

  it('leaves credentials to MONGO_URL when none are set', () => {
    expect(mongoClientOptions({})).toEqual({ serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 30_000 });
  });

  it('the driver takes the options: the client authenticates with them', async () => {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(
      'mongodb://db.invalid:27017/?replicaSet=rs0',
      mongoClientOptions({ MONGO_USERNAME: 'persister', MONGO_PASSWORD: 'pw' }),
    );
    expect(client.options.credentials?.username).toBe('persister');
    expect(client.options.credentials?.password).toBe('pw');
    expect(client.options.credentials?.source).toBe('admin');
    await client.close();
  });
});

describe('isMongoAuthError', () => {
  it('recognises AuthenticationFailed directly and wrapped by server selection', () => {
    expect(isMongoAuthError({ code: 18, codeName: 'AuthenticationFailed' })).toBe(true);
    expect(isMongoAuthError({ name: 'MongoServerSelectionError', cause: { code: 18 } })).toBe(true);
    expect(isMongoAuthError({ code: 11000 })).toBe(false);
    expect(isMongoAuthError(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});
