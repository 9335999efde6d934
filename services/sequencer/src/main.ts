import { createLogger, loadConfig, stopOnSignals } from '@lfsync/runtime';
import { startSequencer } from './app.ts';
import { sequencerConfigSchema } from './config.ts';

const config = loadConfig(sequencerConfigSchema, process.env);
const logger = createLogger({ name: 'sequencer', level: config.LOG_LEVEL });
const sequencer = await startSequencer(config, logger);
stopOnSignals(sequencer, logger, config.SHUTDOWN_TIMEOUT_MS);
