import { createLogger, loadConfig, stopOnSignals } from '@lfsync/runtime';
import { startGateway } from './app.ts';
import { gatewayConfigSchema } from './config.ts';

const config = loadConfig(gatewayConfigSchema, process.env);
const logger = createLogger({ name: 'gateway', level: config.LOG_LEVEL });
const gateway = await startGateway(config, logger);
stopOnSignals(gateway, logger, config.SHUTDOWN_TIMEOUT_MS);
