import { CounterApp } from './app.ts';
import { registerServiceWorker } from './pwa/service-worker.ts';
import { updateBanner } from './pwa/update-banner.ts';

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

const banner = updateBanner();
document.body.prepend(banner.element);
registerServiceWorker({
  onUpdateReady: (update) =>
    banner.show(async () => {
      // The queue is in IndexedDB once stored: the new version picks it up after the reload.
      await app.persisted();
      await update();
    }),
});

app.start().catch((cause: unknown) => {
  console.error('lfsync web: could not start', cause);
  root.textContent = 'The app could not start. Reload the page to try again.';
});
