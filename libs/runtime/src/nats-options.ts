import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from '@nats-io/transport-node';

/** The part of a service config that says where NATS is and how to authenticate to it. */
export interface NatsConnectionConfig {
  NATS_URL: string;
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  NATS_CREDS_FILE?: string | undefined;
  NATS_NKEY_SEED_FILE?: string | undefined;
  NATS_TLS_CA_FILE?: string | undefined;
  NATS_TLS_CERT_FILE?: string | undefined;
  NATS_TLS_KEY_FILE?: string | undefined;
}

/** A file the config names that cannot be read: the message names the variable and the path, never content. */
function readConfigFile(variable: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new Error(`invalid configuration: ${variable} ${path} cannot be read (${code})`, { cause: err });
  }
}

function authOptions(config: NatsConnectionConfig): Partial<ConnectionOptions> {
  if (config.NATS_USER !== undefined) return { user: config.NATS_USER, pass: config.NATS_PASSWORD ?? '' };
  if (config.NATS_CREDS_FILE !== undefined) {
    return { authenticator: credsAuthenticator(readConfigFile('NATS_CREDS_FILE', config.NATS_CREDS_FILE)) };
  }
  if (config.NATS_NKEY_SEED_FILE !== undefined) {
    const seed = new TextDecoder()
      .decode(readConfigFile('NATS_NKEY_SEED_FILE', config.NATS_NKEY_SEED_FILE))
      .trim();
    return { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) };
  }
  return {};
}

function tlsOptions(config: NatsConnectionConfig): Partial<ConnectionOptions> {
  const files = [config.NATS_TLS_CA_FILE, config.NATS_TLS_CERT_FILE, config.NATS_TLS_KEY_FILE];
  if (files.every((f) => f === undefined)) return {};
  // Read up front so that a wrong path is a configuration error, not an endless reconnect loop.
  const tls: NonNullable<ConnectionOptions['tls']> = {};
  if (config.NATS_TLS_CA_FILE !== undefined) {
    tls.ca = new TextDecoder().decode(readConfigFile('NATS_TLS_CA_FILE', config.NATS_TLS_CA_FILE));
  }
  if (config.NATS_TLS_CERT_FILE !== undefined && config.NATS_TLS_KEY_FILE !== undefined) {
    tls.cert = new TextDecoder().decode(readConfigFile('NATS_TLS_CERT_FILE', config.NATS_TLS_CERT_FILE));
    tls.key = new TextDecoder().decode(readConfigFile('NATS_TLS_KEY_FILE', config.NATS_TLS_KEY_FILE));
  }
  return { tls };
}

/** Servers, authentication and TLS of a config, as nats.js connection options. */
export function natsConnectionOptions(config: NatsConnectionConfig): Partial<ConnectionOptions> {
  return {
    servers: config.NATS_URL.split(','),
    ...authOptions(config),
    ...tlsOptions(config),
  };
}

/** Who the service claims to be, for logs: the user name or the file, never a secret. */
export function natsIdentity(config: NatsConnectionConfig): Record<string, string> {
  if (config.NATS_USER !== undefined) return { user: config.NATS_USER };
  if (config.NATS_CREDS_FILE !== undefined) return { credsFile: config.NATS_CREDS_FILE };
  if (config.NATS_NKEY_SEED_FILE !== undefined) return { nkeySeedFile: config.NATS_NKEY_SEED_FILE };
  return { user: '(none)' };
}
