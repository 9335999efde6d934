import type { Presence, SyncClient } from '@lfsync/client';
import { summarizeCounters } from '../model/counter.ts';
import { onlineUsernames, usersToList } from '../model/online-users.ts';
import type { UserRecord } from '../model/records.ts';
import type { CounterStore } from '../sync/counter-store.ts';
import { activityPanel, type ActivityPanel } from './activity-panel.ts';
import { alertArea } from './alert-area.ts';
import { avatarPanel, type AvatarPanel } from './avatar-panel.ts';
import { showAvatar } from './avatar-image.ts';
import { coalescedRender } from './coalesced-render.ts';
import { connectionBadgeView, type ConnectionBadgeView } from './connection-badge-view.ts';
import { listenForCounterKeys } from './counter-keys.ts';
import { counterPanel, type CounterPanel } from './counter-panel.ts';
import { h } from './dom.ts';
import { topBar } from './top-bar.ts';
import { usersPanel, type UsersPanel } from './users-panel.ts';

export interface HomeViewOptions {
  readonly client: SyncClient;
  readonly store: CounterStore;
  /** Who is online (this client's membership in the app's presence). */
  readonly presence: Presence;
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

type HomePart = 'counters' | 'logs' | 'users' | 'connection';

interface HomeWidgets {
  readonly badge: ConnectionBadgeView;
  readonly meAvatar: HTMLImageElement;
  readonly counter: CounterPanel;
  readonly activity: ActivityPanel;
  readonly users: UsersPanel;
  readonly avatar: AvatarPanel;
}

/** The signed-in screen. Renders from the SDK's local view: it never waits for the network. */
export function renderHome(root: HTMLElement, options: HomeViewOptions): HomeView {
  const { client, store } = options;
  const alert = alertArea();
  const change = (delta: 1 | -1): void => {
    store.change(delta).catch((cause: unknown) => alert.show(`Could not save the click: ${String(cause)}`));
  };
  const widgets = homeWidgets(options, change);
  const greeting = h('h1', { class: 'greeting', tabindex: -1 }, `Hello, ${store.username}!`);
  const { counter, activity, users, avatar } = widgets;
  const main = h(
    'main',
    { id: 'main', class: 'home', tabindex: -1 },
    greeting,
    options.notice === undefined ? null : h('p', { class: 'notice', role: 'status' }, options.notice),
    alert.element,
    h('div', { class: 'grid' }, counter.element, activity.element, users.element, avatar.element),
  );
  const header = topBar(store.username, widgets.badge.element, widgets.meAvatar, options.onSignOut);
  const skip = h('a', { class: 'skip-link', href: '#main' }, 'Skip to content');

  const render = coalescedRender<HomePart>((parts) => renderParts(parts, widgets, options));
  const stopKeys = listenForCounterKeys(change);
  const tick = setInterval(() => render.schedule('logs'), CLOCK_TICK_MS);
  const unsubscribes = [
    store.counters.subscribe(() => render.schedule('counters')),
    store.logs.subscribe(() => render.schedule('logs')),
    store.users.subscribe(() => render.schedule('users')),
    options.presence.onChange(() => render.schedule('users')),
    client.onStateChange(() => render.schedule('connection')),
    client.onPendingCountChange(() => render.schedule('connection')),
  ];
  render.schedule('connection');
  // Filled before it is attached, so that live regions announce changes, not the initial content.
  render.flush();
  root.replaceChildren(skip, header, main);
  // Screen readers land on the new screen's heading instead of a removed sign-in form.
  greeting.focus();

  return {
    alert: (message) => alert.show(message),
    dispose() {
      stopKeys();
      clearInterval(tick);
      for (const unsubscribe of unsubscribes) unsubscribe();
      avatar.dispose();
      root.replaceChildren();
    },
  };
}

function homeWidgets(options: HomeViewOptions, change: (delta: 1 | -1) => void): HomeWidgets {
  const { store } = options;
  return {
    badge: connectionBadgeView(options.onRetry),
    meAvatar: h('img', { class: 'avatar small', alt: '', width: 32, height: 32 }),
    counter: counterPanel(change),
    activity: activityPanel(),
    users: usersPanel(),
    avatar: avatarPanel(store.username, (url) => store.setAvatar(url)),
  };
}

function renderParts(parts: ReadonlySet<HomePart>, widgets: HomeWidgets, options: HomeViewOptions): void {
  const { client, store } = options;
  const username = store.username;
  const userRecords = store.users.current();
  if (parts.has('counters') || parts.has('users')) {
    const summary = summarizeCounters(store.counters.current(), store.sessionId);
    widgets.counter.update(summary, username);
    const online = onlineUsernames(options.presence.members);
    widgets.users.update(usersToList(userRecords, online), summary.byUser, username, online);
  }
  if (parts.has('logs') || parts.has('users')) {
    widgets.activity.update(store.logs.current(), usersByName(userRecords), Date.now());
  }
  if (parts.has('users')) {
    const me = store.me();
    showAvatar(widgets.meAvatar, me?.avatar_url, username);
    widgets.avatar.update(me);
  }
  if (parts.has('connection')) widgets.badge.update(client.state, client.pendingCount, client.tabRole);
}

function usersByName(records: readonly UserRecord[]): Map<string, UserRecord> {
  return new Map(records.map((user) => [user.username, user]));
}
