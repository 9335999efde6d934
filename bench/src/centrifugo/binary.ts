import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binCacheDir } from '@lfsync/testkit';

export const CENTRIFUGO_VERSION = 'v6.9.1';
const MODULE = 'github.com/centrifugal/centrifugo/v6';

export type CentrifugoBinary =
  | { ok: true; path: string; built: boolean; buildSeconds: number | undefined }
  | { ok: false; reason: string };

/**
 * The cached Centrifugo binary, or a fresh `go install` of it (time-boxed: it compiles ~900 packages, which
 * takes minutes on a busy 2-core machine; once cached it is instant).
 */
export async function centrifugoBinary(
  timeoutSeconds: number,
  log: (line: string) => void,
): Promise<CentrifugoBinary> {
  const cached = join(binCacheDir(), `centrifugo-${CENTRIFUGO_VERSION}`);
  if (existsSync(cached)) return { ok: true, path: cached, built: false, buildSeconds: undefined };
  log(
    `centrifugo: building ${MODULE}@${CENTRIFUGO_VERSION} with go install (time box ${timeoutSeconds} s) …`,
  );
  const gobin = mkdtempSync(join(tmpdir(), 'lfs-centrifugo-'));
  const started = performance.now();
  try {
    const outcome = await run(
      'go',
      ['install', `${MODULE}@${CENTRIFUGO_VERSION}`],
      { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' },
      timeoutSeconds * 1000,
    );
    if (!outcome.ok) return { ok: false, reason: outcome.reason };
    mkdirSync(binCacheDir(), { recursive: true });
    renameSync(join(gobin, 'centrifugo'), cached);
    return { ok: true, path: cached, built: true, buildSeconds: (performance.now() - started) / 1000 };
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `${command} could not run: ${err.message}` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ ok: true });
      else if (signal === 'SIGKILL')
        resolve({ ok: false, reason: `go install did not finish within ${timeoutMs / 1000} s` });
      else
        resolve({
          ok: false,
          reason: `go install failed (exit ${code ?? signal}): ${output.trim().split('\n').slice(-5).join(' | ')}`,
        });
    });
  });
}
