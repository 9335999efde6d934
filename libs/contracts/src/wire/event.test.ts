import { describe, expect, it } from 'vitest';
import { eventIdSchema, isEventId, isOperation, operationSchema } from './event.ts';

const ids: unknown[] = [
  'e1',
  '',
  'x'.repeat(128),
  'x'.repeat(129),
  '😀'.repeat(64),
  '😀'.repeat(65),
  `${'x'.repeat(127)}😀`,
  `${'x'.repeat(128)}😀`,
  '\ud800'.repeat(128),
  '\ud800'.repeat(129),
  `${'😀'.repeat(64)}\udc00`,
  1,
  null,
  undefined,
  ['e1'],
];
const operations: unknown[] = [0, 1, 2, 3, -1, 'insert', 'update', 'delete', 'upsert', '0', null, undefined];

describe('the hand checks of event fields', () => {
  it('isEventId accepts exactly what eventIdSchema does', () => {
    for (const id of ids)
      expect({ id, ok: isEventId(id) }).toEqual({ id, ok: eventIdSchema.safeParse(id).success });
  });

  it('isOperation accepts exactly what operationSchema does', () => {
    for (const op of operations)
      expect({ op, ok: isOperation(op) }).toEqual({ op, ok: operationSchema.safeParse(op).success });
  });
});
