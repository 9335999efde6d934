import { ISO_TIMESTAMP_PATTERN } from './event.ts';

/** An object literal as `JSON.parse` makes them (no class, no array), without a `__proto__` key. */
export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && !Object.hasOwn(value, '__proto__');
}

/** What `createdAtSchema` accepts: an ISO timestamp, or milliseconds since the epoch. */
export function validCreatedAt(value: unknown): boolean {
  if (typeof value === 'string') return ISO_TIMESTAMP_PATTERN.test(value);
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
