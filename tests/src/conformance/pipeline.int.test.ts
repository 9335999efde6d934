import { embeddedAdapters } from './embedded-adapters.ts';
import { describePipelineContract } from './pipeline-contract.ts';
import { productionAdapters } from './production-adapters.ts';

for (const set of [productionAdapters, embeddedAdapters]) describePipelineContract(set.name, set.pipeline);
