import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ERROR_CODE_LIST, errorCodes, isErrorCode } from './errors.ts';
import { CLIENT_MESSAGE_TYPES, clientMessageSchema } from './wire/client-messages.ts';
import { serverEventSchema } from './wire/event.ts';
import { serverMessageSchema } from './wire/server-messages.ts';

/**
 * `docs/protocol.md` is what client authors read; these checks keep it from drifting away from the schemas
 * and the error registry. Everything expected is derived from the contracts, never listed here.
 */
const DOC_PATH = new URL('../../../docs/protocol.md', import.meta.url);
const doc = readFileSync(DOC_PATH, 'utf8');

interface Heading {
  level: number;
  text: string;
  line: number;
}

/** Markdown headings outside fenced code blocks (a `# comment` in a shell example is not a heading). */
function headingsOf(lines: readonly string[]): Heading[] {
  const headings: Heading[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6}) (.+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined)
      headings.push({ level: match[1].length, text: match[2].trim(), line: index });
  });
  return headings;
}

/** The text under `heading` (exact heading text), up to the next heading of the same or a higher level. */
function sectionOf(markdown: string, level: number, heading: string): string | undefined {
  const lines = markdown.split('\n');
  const headings = headingsOf(lines);
  const start = headings.find((h) => h.level === level && h.text === heading);
  if (start === undefined) return undefined;
  const end = headings.find((h) => h.line > start.line && h.level <= level);
  return lines.slice(start.line + 1, end?.line ?? lines.length).join('\n');
}

function jsonExamplesOf(section: string): unknown[] {
  return [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] ?? '') as unknown);
}

function typesOf(options: readonly { shape: { type: { value: string } } }[]): string[] {
  return options.map((o) => o.shape.type.value);
}

interface ErrorRow {
  code: string;
  httpStatus: number;
  closeCode: number | undefined;
  retryable: boolean;
}

function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((c) => c.trim());
}

/** The table whose header names code, HTTP, close and retryable; one row per error code. */
function errorTableOf(markdown: string): ErrorRow[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => {
    const cells = cellsOf(line).map((c) => c.toLowerCase());
    return (
      line.trim().startsWith('|') && ['code', 'http', 'close', 'retryable'].every((h) => cells.includes(h))
    );
  });
  if (header < 0)
    throw new Error('no error table (columns code, HTTP, close, retryable) in docs/protocol.md');
  const columns = cellsOf(lines[header] ?? '').map((c) => c.toLowerCase());
  const at = (cells: string[], name: string) => cells[columns.indexOf(name)] ?? '';
  const rows: ErrorRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const cells = cellsOf(line);
    const code = /^`([A-Z_]+)`$/.exec(at(cells, 'code'))?.[1];
    const close = at(cells, 'close');
    const retryable = at(cells, 'retryable');
    if (code === undefined) throw new Error(`error table row without a code in backticks: ${line}`);
    if (!['yes', 'no'].includes(retryable)) throw new Error(`retryable must be yes or no: ${line}`);
    if (close !== '—' && !/^\d{4}$/.test(close)) throw new Error(`close must be a code or —: ${line}`);
    rows.push({
      code,
      httpStatus: Number(at(cells, 'http')),
      closeCode: close === '—' ? undefined : Number(close),
      retryable: retryable === 'yes',
    });
  }
  return rows;
}

function checkMessageSection(
  sectionHeading: string,
  types: readonly string[],
  schema: z.ZodType,
  options: readonly { shape: Record<string, unknown> & { type: { value: string } } }[],
): void {
  const section = sectionOf(doc, 2, sectionHeading);
  expect(section, `section "## ${sectionHeading}"`).toBeDefined();
  for (const type of types) {
    const body = sectionOf(section ?? '', 3, `\`${type}\``);
    expect(body, `heading "### \`${type}\`" under "${sectionHeading}"`).toBeDefined();
    const examples = jsonExamplesOf(body ?? '');
    expect(examples.length, `JSON examples of ${type}`).toBeGreaterThan(0);
    for (const example of examples) {
      const parsed = schema.safeParse(example);
      expect(parsed.success, `example of ${type}: ${JSON.stringify(example)}`).toBe(true);
      expect((example as { type?: unknown }).type).toBe(type);
    }
    const fields = Object.keys(options.find((o) => o.shape.type.value === type)?.shape ?? {});
    for (const field of fields) expect(body, `field ${field} of ${type}`).toContain(`\`${field}\``);
  }
}

describe('docs/protocol.md', () => {
  it('documents every client → server message: heading, each field, a JSON example the schema accepts', () => {
    const types = [...new Set([...CLIENT_MESSAGE_TYPES, ...typesOf(clientMessageSchema.options)])];
    expect(types.length).toBeGreaterThan(0);
    checkMessageSection('Client → server messages', types, clientMessageSchema, clientMessageSchema.options);
  });

  it('documents every server → client message: heading, each field, a JSON example the schema accepts', () => {
    const types = typesOf(serverMessageSchema.options);
    expect(types.length).toBeGreaterThan(0);
    checkMessageSection('Server → client messages', types, serverMessageSchema, serverMessageSchema.options);
  });

  it('documents every field of the event object', () => {
    const section = sectionOf(doc, 2, 'The event object');
    expect(section).toBeDefined();
    const firstCells = (section ?? '')
      .split('\n')
      .filter((line) => line.trim().startsWith('|'))
      .map((line) => cellsOf(line)[0]);
    for (const field of Object.keys(serverEventSchema.shape)) expect(firstCells).toContain(`\`${field}\``);
  });

  it('has one error-table row per code, covering every code of the registry', () => {
    const rows = errorTableOf(doc);
    const codes = rows.map((r) => r.code);
    expect(
      codes.filter((c, i) => codes.indexOf(c) !== i),
      'codes listed twice',
    ).toEqual([]);
    expect(
      ERROR_CODE_LIST.filter((c) => !codes.includes(c)),
      'registry codes missing from the doc',
    ).toEqual([]);
  });

  it('agrees with the registry on HTTP status, close code and retryable for every code it shares', () => {
    const shared = errorTableOf(doc).filter((row) => isErrorCode(row.code));
    expect(shared.length).toBe(ERROR_CODE_LIST.length);
    for (const row of shared) {
      const entry = errorCodes[row.code as keyof typeof errorCodes];
      expect(row, row.code).toEqual({
        code: row.code,
        httpStatus: entry.httpStatus,
        closeCode: entry.closeCode,
        retryable: entry.retryable,
      });
    }
  });

  it('explains every close code the registry uses', () => {
    const section = sectionOf(doc, 3, 'Close codes');
    expect(section).toBeDefined();
    const documented = (section ?? '')
      .split('\n')
      .filter((line) => line.trim().startsWith('|'))
      .map((line) => cellsOf(line)[0] ?? '')
      .filter((cell) => /^\d{4}$/.test(cell))
      .map(Number);
    const used = new Set(Object.values(errorCodes).map((e) => e.closeCode));
    for (const code of used) if (code !== undefined) expect(documented, String(code)).toContain(code);
  });
});
