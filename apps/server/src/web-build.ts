import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '@lfsync/runtime';

/**
 * Builds the web app into `<root>/clients/web/dist` in the background. A lock (holding this process's pid)
 * keeps two starts from building into the same directory at once; a lock whose process is gone is taken
 * over.
 */
export function buildWebApp(root: string, logger: Logger): void {
  const lock = join(
    tmpdir(),
    `lfsync-web-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`,
  );
  if (!takeLock(lock)) return;
  const dir = join(root, 'clients/web/dist');
  logger.info({ dir }, 'building the web app (first start only; the API is up meanwhile)');
  const build = spawn('npm', ['run', 'build', '--workspace', '@lfsync/web'], { cwd: root, stdio: 'ignore' });
  let finished = false;
  const done = (outcome: { code?: number | null; err?: Error }) => {
    if (finished) return;
    finished = true;
    rmSync(lock, { recursive: true, force: true });
    if (outcome.code === 0) logger.info({ dir }, 'web app built');
    else logger.warn(outcome, 'web app build failed: run `npm run build -w @lfsync/web`');
  };
  build.once('error', (err) => done({ err }));
  build.once('exit', (code) => done({ code }));
}

/** False when a live process holds the lock already. */
function takeLock(lock: string): boolean {
  const pidFile = join(lock, 'pid');
  try {
    mkdirSync(lock);
  } catch {
    const holder = Number(existsSync(pidFile) ? readFileSync(pidFile, 'utf8') : 0);
    if (holder > 0 && isAlive(holder)) return false;
    rmSync(lock, { recursive: true, force: true });
    mkdirSync(lock);
  }
  writeFileSync(pidFile, String(process.pid));
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
