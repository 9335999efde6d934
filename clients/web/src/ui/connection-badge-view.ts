import type { ConnectionState, TabRole } from '@lfsync/client';
import { connectionBadge } from '../model/connection-badge.ts';
import { h, setAttribute, setText } from './dom.ts';

export interface ConnectionBadgeView {
  readonly element: HTMLElement;
  /** `role`: whether this tab owns the connection or follows the tab that does (shown to tests and tools). */
  update(state: ConnectionState, pendingCount: number, role: TabRole): void;
}

/** The SDK's connection state and pending count, with "Retry now" while it waits to reconnect. */
export function connectionBadgeView(onRetry: () => void): ConnectionBadgeView {
  const label = h('span', { class: 'badge-label' });
  const pending = h('span', { class: 'badge-pending', 'data-testid': 'pending' });
  const status = h(
    'span',
    { class: 'badge', role: 'status', 'aria-live': 'polite', 'data-testid': 'connection' },
    h('span', { class: 'badge-dot', 'aria-hidden': 'true' }),
    label,
    pending,
  );
  const retry = h('button', { type: 'button', class: 'link', hidden: true, onclick: onRetry }, 'Retry now');
  const element = h('div', { class: 'connection' }, status, retry);
  return {
    element,
    update(state, pendingCount, role) {
      const badge = connectionBadge(state, pendingCount);
      status.dataset['tabRole'] = role;
      status.dataset['status'] = badge.status;
      status.dataset['tone'] = badge.tone;
      setText(label, badge.label);
      setText(pending, badge.pending);
      setAttribute(pending, 'hidden', badge.pending === '');
      retry.hidden = !(state.status === 'offline' && state.reason !== 'stopped');
    },
  };
}
