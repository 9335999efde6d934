export { connectGatewayAdapters, startGateway, type Gateway, type GatewayAdapters } from './app.ts';
export { natsSequencerClient, type SequencerClient } from './bus/sequencer-client.ts';
export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
