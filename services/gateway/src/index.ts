export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
