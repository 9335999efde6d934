import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, release, totalmem, type as osType } from 'node:os';
import { FERRETDB_VERSION, natsServerBinary, serviceNode } from '@lfsync/testkit';
import { openFileLimit } from './proc.ts';
import type { WakeCost } from './wake-cost.ts';

export interface MachineInfo {
  os: string;
  cpuModel: string;
  cpuCount: number;
  memoryBytes: number;
  freeMemoryBytes: number;
  node: string;
  natsServer: string;
  ferretDb: string;
  centrifugo: string | undefined;
  openFileLimit: number;
  loadAverageAtStart: number[];
  gitCommit: string;
  /** Measured before the scenarios (absent from reports written before 2026-12-02). */
  wakeCost?: WakeCost;
}

export function describeMachine(): MachineInfo {
  const cpuList = cpus();
  return {
    os: `${osType()} ${release()}`,
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpuCount: cpuList.length,
    memoryBytes: totalmem(),
    freeMemoryBytes: freemem(),
    node: nodeVersions(),
    natsServer: natsVersion(),
    ferretDb: `${FERRETDB_VERSION} (SQLite backend, embedded build)`,
    centrifugo: undefined,
    openFileLimit: openFileLimit(),
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    gitCommit: gitCommit(),
  };
}

/** The services' Node (the Docker image's major, see `serviceNode`) and the load generators' (this one). */
function nodeVersions(): string {
  const binary = serviceNode();
  const services = binary === process.execPath ? process.version : versionOf(binary);
  return `services ${services}, load generators ${process.version}`;
}

function versionOf(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch (err) {
    return `unknown (${String(err)})`;
  }
}

function natsVersion(): string {
  try {
    const binary = natsServerBinary();
    return `${versionOf(binary)} (${binary})`;
  } catch (err) {
    return `unknown (${String(err)})`;
  }
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !==
      '';
    return dirty ? `${head} + uncommitted changes` : head;
  } catch {
    return 'unknown';
  }
}
