import { latestActivity, relativeTime, type ActivityItem } from '../model/activity.ts';
import type { CounterLogRecord, UserRecord } from '../model/records.ts';
import { showAvatar } from './avatar-image.ts';
import { h, reconcileList, setAttribute, setText } from './dom.ts';

const ACTIVITY_LIMIT = 20;

export interface ActivityPanel {
  readonly element: HTMLElement;
  update(logs: readonly CounterLogRecord[], users: ReadonlyMap<string, UserRecord>, nowMs: number): void;
}

const fullTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** The latest counter changes, newest first, as a log region (new entries are announced). */
export function activityPanel(): ActivityPanel {
  const list = h('ol', {
    class: 'activity-list',
    role: 'log',
    'aria-relevant': 'additions',
    'aria-labelledby': 'activity-title',
    'data-testid': 'activity',
  });
  const total = h('span', { class: 'muted', 'data-testid': 'activity-total' });
  const empty = h('p', { class: 'empty' }, 'No clicks yet. Be the first!');
  const element = h(
    'section',
    { class: 'card activity', 'aria-labelledby': 'activity-title' },
    h('h2', { id: 'activity-title' }, 'Recent activity ', total),
    empty,
    list,
  );

  return {
    element,
    update(logs, users, nowMs) {
      const items = latestActivity(logs, ACTIVITY_LIMIT);
      setText(total, `(${logs.length} ${logs.length === 1 ? 'change' : 'changes'})`);
      total.dataset['count'] = String(logs.length);
      empty.hidden = items.length > 0;
      reconcileList(
        list,
        items,
        (item) => item.id,
        (item) => renderItem(item, users, nowMs),
        (li, item) => updateItem(li, item, users, nowMs),
      );
    },
  };
}

function renderItem(
  item: ActivityItem,
  users: ReadonlyMap<string, UserRecord>,
  nowMs: number,
): HTMLLIElement {
  const li = h(
    'li',
    { class: item.increment >= 0 ? 'up' : 'down' },
    h(
      'span',
      { class: 'delta', 'aria-hidden': 'true' },
      item.increment > 0 ? `+${item.increment}` : `−${Math.abs(item.increment)}`,
    ),
    h('img', { class: 'avatar small', alt: '', width: 28, height: 28 }),
    h('span', { class: 'activity-text' }, item.text),
    h('time', { class: 'muted' }),
  );
  updateItem(li, item, users, nowMs);
  return li;
}

function updateItem(
  li: HTMLLIElement,
  item: ActivityItem,
  users: ReadonlyMap<string, UserRecord>,
  nowMs: number,
): void {
  const img = li.querySelector('img');
  const time = li.querySelector('time');
  if (img !== null) showAvatar(img, users.get(item.username)?.avatar_url, item.username);
  if (time !== null) {
    setText(time, relativeTime(item.atMs, nowMs));
    setAttribute(time, 'datetime', item.atMs === undefined ? undefined : new Date(item.atMs).toISOString());
    setAttribute(time, 'title', item.atMs === undefined ? undefined : fullTime.format(item.atMs));
  }
}
