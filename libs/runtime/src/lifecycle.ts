import type { Logger } from 'pino';

export interface Stoppable {
  stop(): Promise<void>;
}

/** SIGTERM/SIGINT stop the service under a deadline; a second signal or the deadline exits at once. */
export function stopOnSignals(service: Stoppable, logger: Logger, timeoutMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'stopping');
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown deadline passed, exiting');
      process.exit(1);
    }, timeoutMs);
    deadline.unref();
    service.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
