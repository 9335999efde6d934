import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger } from 'pino';

/** Where log lines go; `isTTY` is what a terminal's `process.stdout` carries. */
export type LogOutput = NodeJS.WritableStream & { isTTY?: boolean };

export interface LoggerOptions {
  name: string;
  level: string;
  /** Default `process.stdout`. A terminal gets coloured, readable lines; anything else JSON, one object a line. */
  output?: LogOutput;
}

const REDACTED_PATHS = [
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
];

/** The root logger of a service; tokens, authorization headers and passwords never reach the output. */
export function createLogger(options: LoggerOptions): Logger {
  const settings = {
    name: options.name,
    level: options.level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  const output = options.output ?? process.stdout;
  if (output.isTTY === true) return pino(settings, prettyStream(output));
  return options.output === undefined ? pino(settings) : pino(settings, output as DestinationStream);
}

// Redaction happens in pino before the line reaches this stream, so pretty output is redacted too.
function prettyStream(output: LogOutput): DestinationStream {
  return PinoPretty({
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    destination: output === process.stdout ? 1 : output,
  });
}
