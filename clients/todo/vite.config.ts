import { defineConfig } from 'vite';

/** Where `npm run dev` forwards `/auth` and `/sync` (the gateway of `npm start` by default). */
const gateway = process.env['LFSYNC_GATEWAY'] ?? 'http://localhost:8080';

export default defineConfig({
  build: { target: 'es2022' },
  server: {
    proxy: {
      '/auth': { target: gateway, changeOrigin: true },
      '/sync': { target: gateway.replace(/^http/, 'ws'), ws: true, changeOrigin: true },
    },
  },
});
