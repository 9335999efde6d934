import type { UserRecord } from '../model/records.ts';
import { showAvatar } from './avatar-image.ts';
import { h, reconcileList, setText } from './dom.ts';

export interface UsersPanel {
  readonly element: HTMLElement;
  update(
    users: readonly UserRecord[],
    contributions: ReadonlyMap<string, number>,
    me: string,
    online: ReadonlySet<string>,
  ): void;
}

interface UserRow {
  readonly user: UserRecord;
  readonly isMe: boolean;
  readonly isOnline: boolean;
  readonly contribution: number;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/**
 * Everyone who signed in, you first, then who is online now (presence), with their picture and how much they
 * added to the counter.
 */
export function usersPanel(): UsersPanel {
  const list = h('ul', { class: 'users-list', 'aria-labelledby': 'users-title', 'data-testid': 'users' });
  const count = h('span', { class: 'muted', 'data-testid': 'users-count' });
  const element = h(
    'section',
    { class: 'card users', 'aria-labelledby': 'users-title' },
    h('h2', { id: 'users-title' }, 'Users ', count),
    list,
  );
  return {
    element,
    update(users, contributions, me, online) {
      const rows: UserRow[] = users
        .map((user) => ({
          user,
          isMe: user.username === me,
          isOnline: online.has(user.username),
          contribution: contributions.get(user.username) ?? 0,
        }))
        .sort(
          (a, b) =>
            Number(b.isMe) - Number(a.isMe) ||
            Number(b.isOnline) - Number(a.isOnline) ||
            collator.compare(a.user.username, b.user.username),
        );
      const onlineCount = rows.filter((row) => row.isOnline).length;
      setText(count, `(${rows.length}, ${onlineCount} online)`);
      reconcileList(list, rows, (row) => row.user.id, renderRow, updateRow);
    },
  };
}

function renderRow(row: UserRow): HTMLLIElement {
  const li = h(
    'li',
    {},
    // Decorative: the name is right next to it.
    h('img', { class: 'avatar', alt: '', width: 40, height: 40 }),
    h('span', { class: 'presence-dot', role: 'img' }),
    h('span', { class: 'user-name' }),
    h('span', { class: 'user-score muted' }),
  );
  updateRow(li, row);
  return li;
}

function updateRow(li: HTMLLIElement, row: UserRow): void {
  const { user } = row;
  li.dataset['username'] = user.username;
  li.dataset['online'] = String(row.isOnline);
  li.classList.toggle('me', row.isMe);
  li.classList.toggle('online', row.isOnline);
  li.querySelector('.presence-dot')?.setAttribute('aria-label', row.isOnline ? 'online' : 'offline');
  const img = li.querySelector('img');
  if (img !== null) {
    showAvatar(img, user.avatar_url, user.username);
  }
  const name = li.querySelector('.user-name');
  if (name !== null) setText(name, row.isMe ? `${user.username} (you)` : user.username);
  const score = li.querySelector('.user-score');
  if (score !== null) {
    const sign = row.contribution > 0 ? '+' : '';
    setText(score, `${sign}${row.contribution}`);
    score.setAttribute('aria-label', `contributed ${row.contribution}`);
  }
}
