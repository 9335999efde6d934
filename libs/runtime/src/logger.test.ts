import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogOutput } from './logger.ts';

function capture(isTTY: boolean): { output: LogOutput; text(): string } {
  const chunks: string[] = [];
  const output = Object.assign(new PassThrough(), { isTTY });
  output.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { output, text: () => chunks.join('') };
}

const ESC = '\u001b[';

describe('createLogger', () => {
  it('writes coloured, readable lines to a terminal', async () => {
    const out = capture(true);
    createLogger({ name: 'gateway', level: 'info', output: out.output }).warn(
      { port: 8080 },
      'gateway listening',
    );
    await new Promise((resolve) => setImmediate(resolve));
    const text = out.text();
    expect(text).toContain('gateway listening');
    expect(text).toContain(ESC);
    expect(text).toMatch(/WARN/);
    expect(text).toMatch(/port\S*: 8080/);
    expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it('writes one JSON object per line when the output is not a terminal', async () => {
    const out = capture(false);
    createLogger({ name: 'persister', level: 'info', output: out.output }).info({ lag: 3 }, 'persisted');
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ name: 'persister', level: 30, lag: 3, msg: 'persisted' });
    expect(out.text()).not.toContain(ESC);
  });

  it.each([true, false])('redacts secrets (terminal: %s)', async (isTTY) => {
    const out = capture(isTTY);
    const logger = createLogger({ name: 'gateway', level: 'info', output: out.output });
    logger.info({ token: 'eyJ.secret.token', config: { NATS_PASSWORD: 'hunter2-nats' } }, 'configured');
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toContain('configured');
    expect(out.text()).not.toContain('eyJ.secret.token');
    expect(out.text()).not.toContain('hunter2-nats');
    expect(out.text()).toContain('[redacted]');
  });
});
