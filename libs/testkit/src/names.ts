import { randomBytes } from 'node:crypto';

/** A name no other test uses: safe as repository name, bus prefix, stream or database name. */
export function uniqueName(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}
