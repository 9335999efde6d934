import { execFileSync } from 'node:child_process';
import { netnsUnavailable } from '@lfsync/testkit';

/**
 * The network for a chaos NATS cluster: `netns` (each node in its own network namespace, so a node can be
 * partitioned from the others) when this machine allows it, else `loopback` without partitions. As root
 * without `ip`, installs iproute2 (Debian) first. Says which, and why.
 */
export function chooseClusterNetwork(log: (line: string) => void): 'netns' | 'loopback' {
  let reason = netnsUnavailable();
  if (reason !== undefined && process.getuid?.() === 0 && !hasCommand('ip')) {
    log('partitions need iproute2: installing it (apt-get install -y iproute2)');
    try {
      execFileSync('apt-get', ['update'], { stdio: 'ignore' });
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'iproute2'], { stdio: 'ignore' });
      reason = netnsUnavailable();
    } catch (err) {
      reason = `installing iproute2 failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    }
  }
  if (reason === undefined) return 'netns';
  log(`PARTITIONS UNAVAILABLE (${reason}): NATS nodes run on loopback; only kills and stalls hit them`);
  return 'loopback';
}

function hasCommand(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
