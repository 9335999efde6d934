import { embeddedAdapters } from './embedded-adapters.ts';
import { describeEventStoreContract } from './event-store-contract.ts';
import { productionAdapters } from './production-adapters.ts';
import { describeSnapshotContract } from './snapshot-contract.ts';

for (const set of [productionAdapters, embeddedAdapters]) {
  describeEventStoreContract(set.name, set.eventStore);
  describeSnapshotContract(set.name, set.eventStore);
}
