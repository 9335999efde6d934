import { createLogger, loadConfig, stopOnSignals } from '@lfsync/runtime';
import { startPersister } from './app.ts';
import { persisterConfigSchema } from './config.ts';

const config = loadConfig(persisterConfigSchema, process.env);
const logger = createLogger({ name: 'persister', level: config.LOG_LEVEL });
const persister = await startPersister(config, logger);
stopOnSignals(persister, logger, config.SHUTDOWN_TIMEOUT_MS);
