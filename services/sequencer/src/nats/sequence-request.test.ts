import { sequenceRequestSchema } from '@lfsync/contracts';
import { describe, expect, it } from 'vitest';
import { parseSequenceRequest } from './sequence-request.ts';

const event = (id: unknown, extra: Record<string, unknown> = {}) => ({
  _event_id: id,
  _operation: 0,
  ...extra,
});
const repositories: unknown[] = [
  'r',
  'doc:42',
  'team/7/notes',
  'a_b-c',
  'x'.repeat(64),
  'x'.repeat(65),
  '',
  '_r',
  '-r',
  'r.s',
  'r*',
  'r s',
  'é',
  '$r',
  7,
  null,
  undefined,
  ['r'],
  { r: 1 },
];
const eventLists: unknown[] = [
  [event('e1')],
  [event('e1'), event('e2', { _data: { n: 1 } })],
  [event('e1'), event('e1')],
  [event('x'.repeat(128))],
  [event('x'.repeat(129))],
  [event('😀'.repeat(64))],
  [event('😀'.repeat(65))],
  [event(`${'x'.repeat(127)}😀`)],
  [event(`${'x'.repeat(128)}😀`)],
  [event('\ud800'.repeat(129))],
  [event(`${'\ud800'.repeat(127)}😀`)],
  [event(`${'😀'.repeat(64)}\udc00`)],
  [event('')],
  [event(1)],
  [event(null)],
  [{ _operation: 0 }],
  [event('e1'), null],
  [event('e1'), ['e2']],
  [event('e1'), 'e2'],
  [],
  'e1',
  { 0: event('e1') },
  null,
  undefined,
];
const bodies: unknown[] = [null, 1, 'text', [], [{ repository: 'r', events: [event('e1')] }]];
for (const repository of repositories)
  for (const events of eventLists) bodies.push({ repository, events }, { repository, events, extra: true });

describe('parseSequenceRequest', () => {
  it('accepts and returns exactly what sequenceRequestSchema does, keys in the same order', () => {
    const texts = [
      ...bodies.map((body) => JSON.stringify(body) ?? 'undefined'),
      '{"repository":"r","events":[{"_operation":0,"_event_id":"a","_created_at":1}]}',
      '{"repository":"r","events":[{"_event_id":"a","__proto__":{"x":1},"y":2}]}',
      '{"repository":"r","events":[{"1":true,"_event_id":"a"}]}',
    ];
    for (const text of texts) {
      const expected = sequenceRequestSchema.safeParse(JSON.parse(text));
      const parsed = parseSequenceRequest(text);
      expect({ text, ok: parsed.ok }).toEqual({ text, ok: expected.success });
      if (parsed.ok) expect(JSON.stringify(parsed.request)).toBe(JSON.stringify(expected.data));
      else expect(parsed.reply).toMatchObject({ ok: false, code: 'INVALID_MESSAGE' });
    }
  });

  it('answers INVALID_MESSAGE for text that is not JSON', () => {
    expect(parseSequenceRequest('{"repository":')).toMatchObject({
      ok: false,
      reply: { ok: false, code: 'INVALID_MESSAGE', message: 'request is not JSON' },
    });
  });

  it('names the event that is malformed', () => {
    const text = JSON.stringify({ repository: 'r', events: [event('e1'), event('')] });
    expect(parseSequenceRequest(text)).toMatchObject({
      ok: false,
      reply: { message: /^events\[1\]: _event_id/ },
    });
  });
});
