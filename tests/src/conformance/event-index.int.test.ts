import { embeddedAdapters } from './embedded-adapters.ts';
import { describeEventIndexContract } from './event-index-contract.ts';
import { productionAdapters } from './production-adapters.ts';

for (const set of [productionAdapters, embeddedAdapters])
  describeEventIndexContract(set.name, set.eventIndex);
