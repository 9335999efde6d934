// The admin dashboard: polls /admin/stats with the token kept in sessionStorage and renders it with DOM
// methods only (no markup from data). No build step: served as is by the gateway's ops port.
const TOKEN_KEY = 'lfs-admin-token';
const POLL_MS = 2000;

const byId = (id) => document.getElementById(id);
let timer;

function start(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  byId('sign-in').hidden = true;
  byId('dashboard').hidden = false;
  byId('sign-out').hidden = false;
  clearTimeout(timer);
  void poll();
}

function stop(message) {
  clearTimeout(timer);
  sessionStorage.removeItem(TOKEN_KEY);
  byId('sign-in').hidden = false;
  byId('dashboard').hidden = true;
  byId('sign-out').hidden = true;
  byId('sign-in-error').textContent = message ?? '';
  byId('status').textContent = 'not signed in';
}

async function poll() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token === null) return stop();
  try {
    const res = await fetch('/admin/stats', { headers: { authorization: `Bearer ${token}` } });
    const body = await res.json();
    if (res.status === 401 || res.status === 403) return stop(`${body.code}: ${body.error}`);
    if (!res.ok) throw new Error(`${body.code ?? res.status}: ${body.error ?? res.statusText}`);
    render(body);
    byId('status').textContent = `live · updated ${new Date(body.atMs).toLocaleTimeString()}`;
    byId('status').className = 'live';
  } catch (err) {
    byId('status').textContent = `cannot reach the gateway (${err.message}); retrying`;
    byId('status').className = 'error';
  }
  timer = setTimeout(() => void poll(), POLL_MS);
}

const number = (n) => (n === null || n === undefined ? '–' : n.toLocaleString('en-US'));
const age = (ms) => `${(ms / 1000).toFixed(1)} s ago`;

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className !== undefined) td.className = className;
  return td;
}

function fill(id, rows, empty, toCells) {
  const body = byId(id);
  const trs = rows.map((row) => {
    const tr = document.createElement('tr');
    for (const td of toCells(row)) tr.append(td);
    return tr;
  });
  if (trs.length === 0) {
    const tr = document.createElement('tr');
    const td = cell(empty, 'muted');
    td.colSpan = body.closest('table').querySelectorAll('th').length;
    tr.append(td);
    trs.push(tr);
  }
  body.replaceChildren(...trs);
}

function render(view) {
  byId('total-gateways').textContent = number(view.totals.gateways);
  byId('total-sessions').textContent = number(view.totals.sessions);
  byId('total-connections').textContent = number(view.totals.connections);
  byId('persister-lag').textContent = number(view.persisterLag);
  byId('sequencer-queue').textContent = number(view.sequencerQueue.queuedEvents);
  byId('sequencer-in-flight').textContent =
    `${number(view.sequencerQueue.requestsInFlight)} requests in flight`;
  const minutes = Math.round(view.rejectionWindowMs / 60000);
  byId('recent-rejections').textContent = number(view.rejections.reduce((n, r) => n + r.recent, 0));
  byId('rejection-window').textContent = `in the last ${minutes} min`;
  byId('rejections-window-head').textContent = `last ${minutes} min`;
  fill('repositories', view.repositories, 'no repository active yet', (r) => {
    const name = cell(r.repository, 'name');
    const head = cell(number(r.head), 'num head');
    head.dataset.repository = r.repository;
    return [
      name,
      head,
      cell(r.eventsPerSec.toFixed(1), 'num'),
      cell(number(r.subscribers), 'num'),
      cell(number(r.presence), 'num'),
    ];
  });
  fill('gateways', view.gateways, 'no gateway reporting', (g) => [
    cell(g.instance.slice(0, 8), 'name'),
    cell(number(g.sessions), 'num'),
    cell(number(g.connections), 'num'),
    cell(number(g.implicitSessions), 'num'),
    cell(age(g.ageMs), 'num muted'),
  ]);
  fill('rejections', view.rejections, 'no rejections', (r) => [
    cell(r.code, 'name'),
    cell(number(r.recent), 'num'),
    cell(number(r.total), 'num'),
  ]);
  fill('persisters', view.persisters, 'no persister reporting', (p) => [
    cell(p.instance, 'name'),
    cell(p.active ? 'active' : 'standby', p.active ? 'ok' : 'muted'),
    cell(number(p.pending), 'num'),
    cell(number(p.ackPending), 'num'),
    cell(number(p.eventsStored), 'num'),
  ]);
  fill('sequencers', view.sequencers, 'no sequencer reporting', (s) => [
    cell(s.instance.slice(-8), 'name'),
    cell(number(s.requestsInFlight), 'num'),
    cell(number(s.queuedEvents), 'num'),
    cell(age(s.ageMs), 'num muted'),
  ]);
}

byId('sign-in').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = byId('token').value.trim();
  byId('token').value = '';
  if (token !== '') start(token);
});
byId('sign-out').addEventListener('click', () => stop());

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved === null) stop();
else start(saved);
