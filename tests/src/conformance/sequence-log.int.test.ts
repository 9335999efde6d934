import { embeddedAdapters } from './embedded-adapters.ts';
import { describeSequenceLogContract } from './sequence-log-contract.ts';
import { productionAdapters } from './production-adapters.ts';

for (const set of [productionAdapters, embeddedAdapters])
  describeSequenceLogContract(set.name, set.sequenceLog);
