// The bench's own unit tests (the root config's projects only cover libs, services, clients and tests).
import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['src/**/*.test.ts'] } });
