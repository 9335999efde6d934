interface Sample {
  atMs: number;
  counts: Readonly<Record<string, number>>;
}

/**
 * Each gateway's cumulative rejection counts over the last `windowMs`: the recent rejections of a code are
 * its newest count minus its oldest one still in the window (0 while a gateway has reported only once).
 */
export class RejectionHistory {
  readonly windowMs: number;
  readonly #samples = new Map<string, Sample[]>();

  constructor(windowMs: number) {
    this.windowMs = windowMs;
  }

  record(gateway: string, counts: Readonly<Record<string, number>>, nowMs: number): void {
    let samples = this.#samples.get(gateway);
    if (samples === undefined) this.#samples.set(gateway, (samples = []));
    samples.push({ atMs: nowMs, counts });
    // Keep one sample at or before the window's start, so the window is measured in full.
    while (samples.length > 2 && (samples[1] as Sample).atMs <= nowMs - this.windowMs) samples.shift();
  }

  forget(gateway: string): void {
    this.#samples.delete(gateway);
  }

  /** Per code, over the gateways named: recent and total, the most recent first. */
  summary(gateways: ReadonlySet<string>): Array<{ code: string; recent: number; total: number }> {
    const byCode = new Map<string, { recent: number; total: number }>();
    for (const [gateway, samples] of this.#samples) {
      if (!gateways.has(gateway)) continue;
      const newest = samples[samples.length - 1] as Sample;
      const oldest = samples[0] as Sample;
      for (const [code, total] of Object.entries(newest.counts)) {
        const entry = byCode.get(code) ?? { recent: 0, total: 0 };
        entry.total += total;
        entry.recent += Math.max(0, total - (oldest.counts[code] ?? 0));
        byCode.set(code, entry);
      }
    }
    return [...byCode]
      .map(([code, counts]) => ({ code, ...counts }))
      .sort((a, b) => b.recent - a.recent || b.total - a.total || a.code.localeCompare(b.code));
  }
}
