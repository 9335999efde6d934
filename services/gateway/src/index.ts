export { connectGatewayAdapters, startGateway, type Gateway, type GatewayAdapters } from './app.ts';
export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
