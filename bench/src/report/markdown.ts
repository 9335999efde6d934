import { comparisonSection } from './comparison-section.ts';
import {
  headerLines,
  machineSection,
  methodSection,
  profileSection,
  targetsSection,
} from './context-sections.ts';
import { fanoutSection, hotRepositorySection, ingestSection } from './load-sections.ts';
import type { BenchReport } from './model.ts';
import { catchUpStoreSection } from './catchup-store-section.ts';
import { indexWindowSection } from './index-window-section.ts';
import { manyUsersSection } from './many-users-section.ts';
import { snapshotSection } from './snapshot-section.ts';
import { catchUpSection, connectionsSection, reconnectSection, slowSection } from './session-sections.ts';

/** The report in the order a reader needs it: targets and comparisons first, then each scenario, then method. */
const SECTIONS: ReadonlyArray<(r: BenchReport) => string> = [
  targetsSection,
  comparisonSection,
  machineSection,
  ingestSection,
  hotRepositorySection,
  fanoutSection,
  connectionsSection,
  catchUpSection,
  catchUpStoreSection,
  reconnectSection,
  slowSection,
  manyUsersSection,
  snapshotSection,
  indexWindowSection,
  profileSection,
  methodSection,
];

export function renderMarkdown(r: BenchReport): string {
  return [...headerLines(r), ...SECTIONS.flatMap((section) => ['', section(r)])]
    .filter((line, i, all) => !(line === '' && all[i - 1] === ''))
    .join('\n');
}
