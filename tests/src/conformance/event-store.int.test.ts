import { embeddedAdapters } from './embedded-adapters.ts';
import { describeEventStoreContract } from './event-store-contract.ts';
import { productionAdapters } from './production-adapters.ts';

for (const set of [productionAdapters, embeddedAdapters])
  describeEventStoreContract(set.name, set.eventStore);
