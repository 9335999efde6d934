import { CounterApp } from './app.ts';

const root = document.getElementById('app');
if (root === null) throw new Error('index.html has no #app element');

const app = new CounterApp({
  root,
  localStorage: window.localStorage,
  sessionStorage: window.sessionStorage,
  // Web Locks exist only in secure contexts (https, localhost).
  locks: 'locks' in navigator ? navigator.locks : undefined,
  location: window.location,
  fetch: (url, init) => window.fetch(url, init),
  isOnline: () => navigator.onLine,
  onNetworkChange: (listener) => {
    const online = (): void => listener(true);
    const offline = (): void => listener(false);
    window.addEventListener('online', online);
    window.addEventListener('offline', offline);
    return () => {
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
    };
  },
});

app.start().catch((cause: unknown) => {
  console.error('lfsync web: could not start', cause);
  root.textContent = 'The app could not start. Reload the page to try again.';
});
