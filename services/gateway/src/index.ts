export { startGateway, type Gateway } from './app.ts';
export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
