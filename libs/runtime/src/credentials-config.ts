import { z } from 'zod';

const filePath = (what: string) => z.string().min(1, `${what} must be a file path`).optional();
const secret = (name: string) => z.string().min(1, `${name} must not be empty`).optional();

/**
 * How a service authenticates to NATS: a user and password, a JWT + nkey creds file (decentralised
 * auth) or a bare nkey seed file; and TLS (a CA to trust the server, a client certificate for mTLS).
 * Secrets come from Kubernetes Secrets / Compose environment, never ConfigMaps; never logged.
 */
export const natsCredentialsShape = {
  NATS_USER: secret('NATS_USER'),
  NATS_PASSWORD: secret('NATS_PASSWORD'),
  NATS_CREDS_FILE: filePath('NATS_CREDS_FILE'),
  NATS_NKEY_SEED_FILE: filePath('NATS_NKEY_SEED_FILE'),
  NATS_TLS_CA_FILE: filePath('NATS_TLS_CA_FILE'),
  NATS_TLS_CERT_FILE: filePath('NATS_TLS_CERT_FILE'),
  NATS_TLS_KEY_FILE: filePath('NATS_TLS_KEY_FILE'),
};

/** MongoDB credentials beside MONGO_URL (which may carry them itself when it comes from a Secret). */
export const mongoCredentialsShape = {
  MONGO_USERNAME: secret('MONGO_USERNAME'),
  MONGO_PASSWORD: secret('MONGO_PASSWORD'),
  MONGO_TLS_CA_FILE: filePath('MONGO_TLS_CA_FILE'),
};

type Settings = Readonly<Record<string, unknown>>;

const isSet = (config: Settings, name: string) => config[name] !== undefined;

function pairProblem(config: Settings, a: string, b: string): string[] {
  return isSet(config, a) === isSet(config, b) ? [] : [`${a} and ${b} must be set together`];
}

function natsProblems(config: Settings): string[] {
  const methods = [
    isSet(config, 'NATS_USER') || isSet(config, 'NATS_PASSWORD') ? 'NATS_USER/NATS_PASSWORD' : undefined,
    isSet(config, 'NATS_CREDS_FILE') ? 'NATS_CREDS_FILE' : undefined,
    isSet(config, 'NATS_NKEY_SEED_FILE') ? 'NATS_NKEY_SEED_FILE' : undefined,
  ].filter((m) => m !== undefined);
  return [
    ...pairProblem(config, 'NATS_USER', 'NATS_PASSWORD'),
    ...(methods.length > 1 ? [`choose one NATS authentication method, not ${methods.join(' and ')}`] : []),
    ...pairProblem(config, 'NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE'),
  ];
}

function urlHasCredentials(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    return new URL(url).username !== '';
  } catch {
    return false;
  }
}

function mongoProblems(config: Settings): string[] {
  const problems = pairProblem(config, 'MONGO_USERNAME', 'MONGO_PASSWORD');
  if (isSet(config, 'MONGO_USERNAME') && urlHasCredentials(config['MONGO_URL'])) {
    problems.push(
      'MONGO_URL already names a user: drop MONGO_USERNAME/MONGO_PASSWORD or the user from the URL',
    );
  }
  return problems;
}

/** Rules across several variables (a user without a password, two auth methods at once). */
export function credentialProblems(config: Settings): string[] {
  return [...natsProblems(config), ...mongoProblems(config)];
}
