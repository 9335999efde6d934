import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INDEX_SCRIPT = resolve(import.meta.dirname, '../../../scripts/ferretdb-postgresql-indexes.sql');

/** Runs SQL (or a file of it, `-f`) with `psql` against a PostgreSQL a FerretDB stores into. */
export async function psql(postgresqlUrl: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('psql', [postgresqlUrl, '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args]);
  return stdout;
}

/**
 * Adds the GIN indexes of scripts/ferretdb-postgresql-indexes.sql to the schema of one FerretDB database
 * (they serve the filters FerretDB sends to PostgreSQL), then refreshes the planner's statistics.
 */
export async function addFerretDbPostgresqlIndexes(postgresqlUrl: string, database: string): Promise<void> {
  await psql(postgresqlUrl, '-v', `schema=${database}`, '-f', INDEX_SCRIPT);
  await psql(postgresqlUrl, '-c', 'ANALYZE');
}
