import { Histogram } from '../stats/histogram.ts';
import { nowUs, type Endpoint } from './messages.ts';

/** What every session of a group adds to: deliveries and their latency since the last report. */
export class GroupStats {
  latency = new Histogram();
  events = 0;
  windowStartUs = nowUs();
  closeCodes: Record<string, number> = {};

  delivered(now: number, t: number | undefined): void {
    this.events += 1;
    if (t !== undefined) this.latency.record(now - t);
  }
}

export interface Member {
  readonly cursor: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly caughtUp: number;
  readonly isOpen: boolean;
  /** Connects, authenticates and (unless idle) subscribes / catches up; resolves with the moment auth succeeded. */
  start(endpoint: Endpoint): Promise<number>;
  drop(): void;
  close(): void;
}
