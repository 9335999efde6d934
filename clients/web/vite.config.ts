import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/** Where `npm run dev` forwards `/auth` and `/sync` (the gateway of `npm start` by default). */
const gateway = process.env['LFSYNC_GATEWAY'] ?? 'http://localhost:8080';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/auth': { target: gateway, changeOrigin: true },
      '/sync': { target: gateway.replace(/^http/, 'ws'), ws: true, changeOrigin: true },
    },
  },
  plugins: [
    VitePWA({
      // A new version waits until the user agrees to reload (the app stores its queue first): never a reload
      // under someone's fingers, never two versions writing the same database at once.
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Shared counter · local-first sync',
        short_name: 'Counter',
        description: 'A shared counter that works offline: local-first sync demo.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#4f46e5',
        icons: [
          { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{html,js,css,svg,png,webmanifest}'],
        // The app shell answers every navigation offline; the server's own paths never come from the cache.
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/(auth|sync|ws|api|healthz|readyz|metrics)(\/|$)/],
        cleanupOutdatedCaches: true,
      },
    }),
  ],
});
