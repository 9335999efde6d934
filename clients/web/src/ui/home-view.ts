import type { SyncClient } from '@lfsync/client';
import { summarizeCounters } from '../model/counter.ts';
import type { UserRecord } from '../model/records.ts';
import type { CounterStore } from '../sync/counter-store.ts';
import { activityPanel } from './activity-panel.ts';
import { avatarPanel } from './avatar-panel.ts';
import { showAvatar } from './avatar-image.ts';
import { connectionBadgeView } from './connection-badge-view.ts';
import { counterPanel } from './counter-panel.ts';
import { h, setText } from './dom.ts';
import { usersPanel } from './users-panel.ts';

export interface HomeViewOptions {
  readonly client: SyncClient;
  readonly store: CounterStore;
  readonly onSignOut: () => void;
  readonly onRetry: () => void;
  /** A problem the user should know about (e.g. the browser keeps no data). */
  readonly notice?: string;
}

export interface HomeView {
  /** Shows a problem in the alert area (the latest one replaces the previous). */
  alert(message: string): void;
  dispose(): void;
}

/** Re-render relative times ("2 min ago") this often. */
const CLOCK_TICK_MS = 15_000;

/** The signed-in screen. Renders from the SDK's local view: it never waits for the network. */
export function renderHome(root: HTMLElement, options: HomeViewOptions): HomeView {
  const { client, store } = options;
  const username = store.username;

  const badge = connectionBadgeView(options.onRetry);
  const meAvatar = h('img', { class: 'avatar small', alt: '', width: 32, height: 32 });
  const header = h(
    'header',
    { class: 'top-bar' },
    h('span', { class: 'brand' }, 'Shared counter'),
    badge.element,
    h(
      'div',
      { class: 'me' },
      meAvatar,
      h('span', { class: 'me-name', 'data-testid': 'signed-in-user' }, username),
      h('button', { type: 'button', class: 'secondary', onclick: options.onSignOut }, 'Sign out'),
    ),
  );
  const alertText = h('span');
  const alertBox = h(
    'div',
    { class: 'alert', role: 'alert', hidden: true },
    alertText,
    h('button', { type: 'button', class: 'link', onclick: () => (alertBox.hidden = true) }, 'Dismiss'),
  );
  const change = (delta: 1 | -1): void => {
    store.change(delta).catch((cause: unknown) => showAlert(`Could not save the click: ${String(cause)}`));
  };
  const counter = counterPanel(change);
  const activity = activityPanel();
  const users = usersPanel();
  const avatar = avatarPanel(username, (url) => store.setAvatar(url));
  const greeting = h('h1', { class: 'greeting', tabindex: -1 }, `Hello, ${username}!`);
  const main = h(
    'main',
    { id: 'main', class: 'home', tabindex: -1 },
    greeting,
    options.notice === undefined ? null : h('p', { class: 'notice', role: 'status' }, options.notice),
    alertBox,
    h('div', { class: 'grid' }, counter.element, activity.element, users.element, avatar.element),
  );
  const skip = h('a', { class: 'skip-link', href: '#main' }, 'Skip to content');

  function showAlert(message: string): void {
    setText(alertText, message);
    alertBox.hidden = false;
  }

  const usersByName = (records: readonly UserRecord[]): Map<string, UserRecord> =>
    new Map(records.map((user) => [user.username, user]));

  // Coalesces the many notifications of one catch-up page into one render.
  let scheduled = false;
  const dirty = new Set<'counters' | 'logs' | 'users' | 'connection'>();
  const schedule = (part: 'counters' | 'logs' | 'users' | 'connection'): void => {
    dirty.add(part);
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(render);
  };
  function render(): void {
    scheduled = false;
    const parts = new Set(dirty);
    dirty.clear();
    const userRecords = store.users.current();
    if (parts.has('counters') || parts.has('users')) {
      const summary = summarizeCounters(store.counters.current(), store.sessionId);
      counter.update(summary, username);
      users.update(userRecords, summary.byUser, username);
    }
    if (parts.has('logs') || parts.has('users')) {
      activity.update(store.logs.current(), usersByName(userRecords), Date.now());
    }
    if (parts.has('users')) {
      const me = store.me();
      showAvatar(meAvatar, me?.avatar_url, username);
      avatar.update(me);
    }
    if (parts.has('connection')) badge.update(client.state, client.pendingCount);
  }

  const onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable]') != null) return;
    if (event.key === '+' || event.key === '=') change(1);
    else if (event.key === '-' || event.key === '−') change(-1);
    else return;
    event.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  const tick = setInterval(() => schedule('logs'), CLOCK_TICK_MS);
  const unsubscribes = [
    store.counters.subscribe(() => schedule('counters')),
    store.logs.subscribe(() => schedule('logs')),
    store.users.subscribe(() => schedule('users')),
    client.onStateChange(() => schedule('connection')),
    client.onPendingCountChange(() => schedule('connection')),
  ];
  schedule('connection');
  // Filled before it is attached, so that live regions announce changes, not the initial content.
  render();
  root.replaceChildren(skip, header, main);
  // Screen readers land on the new screen's heading instead of a removed sign-in form.
  greeting.focus();

  return {
    alert: showAlert,
    dispose() {
      document.removeEventListener('keydown', onKey);
      clearInterval(tick);
      for (const unsubscribe of unsubscribes) unsubscribe();
      avatar.dispose();
      root.replaceChildren();
    },
  };
}
