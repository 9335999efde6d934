import type { ConnectionState, OfflineReason } from '@lfsync/client';

type BadgeTone = 'live' | 'busy' | 'offline' | 'error';

export interface Badge {
  readonly status: ConnectionState['status'];
  readonly tone: BadgeTone;
  readonly label: string;
  /** "3 changes not synced yet"; empty when nothing is pending. */
  readonly pending: string;
}

/** What the connection badge says: "Live" only in the SDK's `live` state (authenticated and caught up). */
export function connectionBadge(state: ConnectionState, pendingCount: number): Badge {
  const pending =
    pendingCount === 0 ? '' : `${pendingCount} ${pendingCount === 1 ? 'change' : 'changes'} not synced yet`;
  switch (state.status) {
    case 'live':
      return { status: state.status, tone: 'live', label: 'Live', pending };
    case 'syncing':
      return { status: state.status, tone: 'busy', label: 'Syncing…', pending };
    case 'authenticating':
      return { status: state.status, tone: 'busy', label: 'Signing in…', pending };
    case 'connecting':
      return {
        status: state.status,
        tone: 'busy',
        label: state.attempt === 0 ? 'Connecting…' : 'Reconnecting…',
        pending,
      };
    case 'offline':
      return {
        status: state.status,
        tone: offlineTone(state.reason),
        label: offlineLabel(state.reason),
        pending,
      };
  }
}

function offlineLabel(reason: OfflineReason): string {
  switch (reason) {
    case 'stopped':
      return 'Offline';
    case 'auth_failed':
      return 'Offline: sign-in refused';
    case 'token_unavailable':
    case 'connect_failed':
    case 'closed':
    case 'heartbeat_timeout':
      return 'Offline: retrying';
  }
}

function offlineTone(reason: OfflineReason): BadgeTone {
  return reason === 'auth_failed' ? 'error' : 'offline';
}
