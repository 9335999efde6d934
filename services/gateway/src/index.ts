export { connectGatewayAdapters, startGateway, type Gateway, type GatewayAdapters } from './app.ts';
export { unfilteredCommitFeed, type CommitFeed, type CommitHandlers } from './bus/commit-feed.ts';
export { natsSequencerClient } from './bus/sequencer-client.ts';
export { gatewayConfigSchema, type GatewayConfig } from './config.ts';
export { createGatewayMetrics } from './metrics.ts';
