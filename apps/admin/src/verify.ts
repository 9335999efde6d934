import { storedEventIds, withDatabase, withNats, type AdminEnv } from './connections.ts';
import { readLog } from './log-reader.ts';
import { verifyRepository, type VerifyReport } from './verify-report.ts';

/** Reads the store and the log of one repository and checks them against each other. */
export async function verifyStored(env: AdminEnv, repository: string): Promise<VerifyReport> {
  const { head, stored } = await withDatabase(env, async (db, store) => ({
    head: await store.head(repository),
    stored: await storedEventIds(db, store, repository),
  }));
  const log = await withNats(env, (nc) => readLog(nc, env.BUS_PREFIX, repository));
  return verifyRepository(head, stored, log);
}

const MAX_LISTED = 50;

export function formatReport(repository: string, report: VerifyReport): string[] {
  const verdict = report.problems.length === 0 ? 'ok' : `${report.problems.length} problem(s)`;
  const lines = [
    `repository ${repository}: head ${report.head}, ${report.storedEvents} stored, ${report.logEvents} logged: ${verdict}`,
    ...report.notes.map((note) => `note: ${note}`),
    ...report.problems.slice(0, MAX_LISTED).map((problem) => `problem: ${problem}`),
  ];
  if (report.problems.length > MAX_LISTED) lines.push(`… and ${report.problems.length - MAX_LISTED} more`);
  return lines;
}
