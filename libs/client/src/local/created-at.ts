const HAS_ZONE = /(Z|[+-]\d{2}:\d{2})$/;

/**
 * Epoch milliseconds of a `_created_at`: an ISO-8601 string (0–6 fractional digits; no zone means UTC, as
 * docs/protocol.md says) or epoch milliseconds. Unparseable values count as 0 so that ordering stays total.
 */
export function createdAtMs(value: string | number): number {
  if (typeof value === 'number') return value;
  const ms = Date.parse(HAS_ZONE.test(value) ? value : `${value}Z`);
  return Number.isNaN(ms) ? 0 : ms;
}

/** ISO-8601 UTC with milliseconds, the form this client writes. */
export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString();
}
