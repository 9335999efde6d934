import { presenceBusMessageSchema, presenceHeartbeatSchema, type BusNames } from '@lfsync/contracts';
import type { PresenceBus } from '@lfsync/ports';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { z } from 'zod';

/** Presence between gateways over core NATS: one subject per repository, one for heartbeats. */
export function natsPresenceBus(nc: NatsConnection, names: BusNames, logger: Logger): PresenceBus {
  const encode = (value: unknown) => JSON.stringify(value);
  return {
    publish: (repository, message) => nc.publish(names.presenceSubject(repository), encode(message)),
    subscribe: (repository, onMessage) =>
      unsubscriber(
        listen(nc, names.presenceSubject(repository), presenceBusMessageSchema, logger, onMessage),
      ),
    publishHeartbeat: (heartbeat) => nc.publish(names.presenceHeartbeatSubject, encode(heartbeat)),
    subscribeHeartbeats: (onHeartbeat) =>
      unsubscriber(listen(nc, names.presenceHeartbeatSubject, presenceHeartbeatSchema, logger, onHeartbeat)),
  };
}

function listen<T extends z.ZodType>(
  nc: NatsConnection,
  subject: string,
  schema: T,
  logger: Logger,
  onMessage: (message: z.infer<T>) => void,
): Subscription {
  return nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err !== null) return logger.error({ err, subject }, 'presence subscription failed');
      let parsed: ReturnType<T['safeParse']>;
      try {
        parsed = schema.safeParse(msg.json()) as ReturnType<T['safeParse']>;
      } catch {
        return logger.warn({ subject }, 'presence message is not JSON; ignored');
      }
      if (!parsed.success) return logger.warn({ subject }, 'invalid presence message ignored');
      onMessage(parsed.data as z.infer<T>);
    },
  });
}

function unsubscriber(subscription: Subscription): () => void {
  return () => subscription.unsubscribe();
}
