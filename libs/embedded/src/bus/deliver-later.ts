import type { Logger } from 'pino';

/** Runs a listener on a later microtask (as over NATS, never inside the publisher's call); a throw is logged. */
export function deliverLater(logger: Logger, failure: string, deliver: () => void): void {
  queueMicrotask(() => {
    try {
      deliver();
    } catch (err) {
      logger.error({ err }, failure);
    }
  });
}
