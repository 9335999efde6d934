import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** The root logger of a service; tokens, authorization headers and passwords never reach the output. */
export function createLogger(options: { name: string; level: string }): Logger {
  return pino({
    name: options.name,
    level: options.level,
    redact: {
      paths: [
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'Authorization',
        '*.Authorization',
        'headers.authorization',
        'req.headers.authorization',
        'pass',
        '*.pass',
        'password',
        '*.password',
        'NATS_PASSWORD',
        '*.NATS_PASSWORD',
        'MONGO_PASSWORD',
        '*.MONGO_PASSWORD',
      ],
      censor: '[redacted]',
    },
  });
}
