import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientMessageSchema } from './client-messages.ts';
import { serverMessageSchema } from './server-messages.ts';
import { errorCodes } from '../errors.ts';

function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * A change of any of these hashes is a change of the wire protocol that clients (including the Flutter
 * client) see. Update the pinned value only together with docs/protocol.md and a thought about compatibility.
 */
describe('wire schema fingerprint', () => {
  it('pins the client → server messages', () => {
    expect(fingerprint(z.toJSONSchema(clientMessageSchema, { io: 'input', unrepresentable: 'any' }))).toBe(
      '3bf691c366107d5c',
    );
  });
  it('pins the server → client messages', () => {
    expect(fingerprint(z.toJSONSchema(serverMessageSchema, { io: 'output', unrepresentable: 'any' }))).toBe(
      '96cab126b74cc653',
    );
  });
  it('pins the error-code registry', () => {
    expect(fingerprint(errorCodes)).toBe('8d56825d36febd02');
  });
});
