import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface CapturedLogs {
  logger: Logger;
  lines: Record<string, unknown>[];
  /** The raw text written, to check that secrets never appear. */
  text(): string;
}

/** A pino logger that keeps every line in memory, for tests that assert on logs. */
export function captureLogs(level: pino.Level = 'debug'): CapturedLogs {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const text = chunk.toString();
      raw.push(text);
      for (const line of text.split('\n'))
        if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines, text: () => raw.join('') };
}
