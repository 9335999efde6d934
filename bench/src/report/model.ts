import type { BenchOptions, ScenarioName } from '../options.ts';
import type { BaselineResult } from '../scenarios/baseline.ts';
import type { CatchUpScenarioResult } from '../scenarios/catchup.ts';
import type { CatchUpStoreResult } from '../scenarios/catchup-store.ts';
import type { IndexWindowRun } from '../scenarios/index-window.ts';
import type { SnapshotScenarioResult } from '../scenarios/snapshot.ts';
import type { CentrifugoResult } from '../scenarios/centrifugo.ts';
import type { ConnectionsResult } from '../scenarios/connections.ts';
import type { FanoutResult } from '../scenarios/fanout.ts';
import type { HotRepositoryResult } from '../scenarios/hot-repository.ts';
import type { IngestResult } from '../scenarios/ingest.ts';
import type { ManyUsersResult } from '../scenarios/many-users.ts';
import type { ReconnectResult } from '../scenarios/reconnect.ts';
import type { SequencerAloneResult } from '../scenarios/sequencer-alone.ts';
import type { SlowConsumerResult } from '../scenarios/slow-consumer.ts';
import type { StorageResult } from '../scenarios/storage.ts';
import type { MachineInfo } from '../system/machine.ts';

/** Everything one `npm run bench` measured; written as JSON and rendered as Markdown. */
export interface BenchReport {
  date: string;
  startedAt: string;
  durationSec: number;
  argv: string[];
  options: BenchOptions;
  machine: MachineInfo;
  loadAverageAtEnd: number[];
  /** Directory the raw .cpuprofile files went to (not committed). */
  profileDir: string | undefined;
  storage?: StorageResult | undefined;
  ingest?: IngestResult | undefined;
  hotRepository?: HotRepositoryResult | undefined;
  sequencerAlone?: SequencerAloneResult | undefined;
  baseline?: BaselineResult | undefined;
  /** The target-load fan-out run. */
  fanout?: FanoutResult | undefined;
  /** The lighter run before it, below saturation. */
  fanoutLight?: FanoutResult | undefined;
  centrifugo?: CentrifugoResult | undefined;
  connections?: ConnectionsResult | undefined;
  catchUp?: CatchUpScenarioResult | undefined;
  /** Catch-up from the database, alone in the store and next to a million other events. */
  catchUpStore?: CatchUpStoreResult | undefined;
  reconnect?: ReconnectResult | undefined;
  slowConsumer?: SlowConsumerResult | undefined;
  manyUsers?: ManyUsersResult | undefined;
  snapshot?: SnapshotScenarioResult[] | undefined;
  indexWindow?: IndexWindowRun[] | undefined;
  /** Scenarios that threw, with the error. */
  failures: Array<{ scenario: ScenarioName; error: string }>;
}
