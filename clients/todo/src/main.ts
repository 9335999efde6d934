// A to-do list on the SDK, in one file: a local-first store in IndexedDB shared by all tabs, synced live.
import { createSyncClient, IndexedDbStorage, type ConnectionState, type RecordEntry } from '@lfsync/client';

interface Todo {
  readonly title: string;
  readonly done: boolean;
  readonly createdAt: string;
}

const user = new URLSearchParams(location.search).get('user') ?? 'guest';
const element = <T extends HTMLElement>(id: string): T => {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`index.html has no #${id}`);
  return found as T;
};
const list = element<HTMLUListElement>('todos');
const status = element<HTMLParagraphElement>('status');
const form = element<HTMLFormElement>('add');
const input = element<HTMLInputElement>('title');

/** The gateway's development sign-in (`DEV_AUTH=true`); a real app asks its own auth server. */
async function token(): Promise<string> {
  const response = await fetch('/auth/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user }),
  });
  if (!response.ok) throw new Error(`no token (${response.status})`);
  const body = (await response.json()) as { token: string };
  return body.token;
}

const database = `lfsync-todo.${user}`;
const client = await createSyncClient({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/sync`,
  tokenProvider: token,
  repositories: ['todo'],
  storage: new IndexedDbStorage(database),
  tabs: { name: database },
});
const todos = client.repository<Todo>('todo');

function renderItem(entry: RecordEntry<Todo>): HTMLLIElement {
  const item = document.createElement('li');
  item.className = entry.data.done ? 'done' : '';
  item.dataset['id'] = entry.id;
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.checked = entry.data.done;
  box.ariaLabel = `Done: ${entry.data.title}`;
  box.onchange = () => void todos.upsert(entry.id, { ...entry.data, done: box.checked });
  const title = document.createElement('span');
  title.textContent = entry.data.title;
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = 'Delete';
  remove.ariaLabel = `Delete ${entry.data.title}`;
  remove.onclick = () => void todos.delete(entry.id);
  item.append(box, title, remove);
  return item;
}

todos.subscribe((entries) => {
  const sorted = [...entries].sort((a, b) => a.data.createdAt.localeCompare(b.data.createdAt));
  list.replaceChildren(...sorted.map(renderItem));
});

function showStatus(state: ConnectionState = client.state): void {
  const pending = client.pendingCount === 0 ? '' : ` · ${client.pendingCount} not synced yet`;
  status.textContent = `${user}: ${state.status}${pending}`;
  status.dataset['status'] = state.status;
}
client.onStateChange(showStatus);
client.onPendingCountChange(() => showStatus());
client.onError((error) => {
  if (error.kind !== 'token_unavailable') console.warn('todo: sync problem', error);
});
showStatus();

form.onsubmit = (event) => {
  event.preventDefault();
  const title = input.value.trim();
  if (title === '') return;
  void todos.upsert(crypto.randomUUID(), { title, done: false, createdAt: new Date().toISOString() });
  input.value = '';
};

// The browser knows when the network comes back: reconnect at once rather than after the backoff.
addEventListener('online', () => client.reconnect());
client.start();
