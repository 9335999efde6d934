import { gatewayConfigSchema, startGateway } from '@lfsync/gateway';
import { persisterConfigSchema, startPersister } from '@lfsync/persister';
import { loadConfig, type Logger, type Stoppable } from '@lfsync/runtime';
import { sequencerConfigSchema, startSequencer } from '@lfsync/sequencer';

export type Env = Record<string, string | undefined>;

/** What `npm start` runs: where it listens, in which mode, and how it stops. */
export interface Running extends Stoppable {
  readonly port: number;
  readonly mode: 'nats+mongodb' | 'embedded';
}

/** The three real services in this process, against the NATS and MongoDB of NATS_URL / MONGO_URL. */
export async function startServices(env: Env, logger: Logger): Promise<Running> {
  env['OPS_PORT'] ??= '0';
  const sequencer = await startSequencer(loadConfig(sequencerConfigSchema, env), logger);
  const persister = await startPersister(loadConfig(persisterConfigSchema, env), logger);
  const gateway = await startGateway(loadConfig(gatewayConfigSchema, env), logger);
  return {
    port: gateway.port,
    mode: 'nats+mongodb',
    async stop() {
      await gateway.stop();
      await persister.stop();
      await sequencer.stop();
    },
  };
}
