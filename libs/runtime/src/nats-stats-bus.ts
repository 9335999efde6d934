import { serviceStatsSchema, type BusNames, type ServiceStats } from '@lfsync/contracts';
import type { StatsBus } from '@lfsync/ports';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** Stats reports over core NATS (`statsSubject`); a report that does not parse is logged and dropped. */
export function natsStatsBus(nc: NatsConnection, names: BusNames, logger: Logger): StatsBus {
  return {
    publish: (stats: ServiceStats) => nc.publish(names.statsSubject, JSON.stringify(stats)),
    subscribe(onStats) {
      const subscription = nc.subscribe(names.statsSubject, {
        callback: (err, msg) => {
          if (err !== null) return logger.error({ err }, 'stats subscription failed');
          let json: unknown;
          try {
            json = msg.json();
          } catch {
            return logger.warn('stats report is not JSON; ignored');
          }
          const parsed = serviceStatsSchema.safeParse(json);
          if (!parsed.success) return logger.warn('invalid stats report ignored');
          onStats(parsed.data);
        },
      });
      return () => subscription.unsubscribe();
    },
  };
}
