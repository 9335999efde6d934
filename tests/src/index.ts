export { startProcessStack, type ProcessStack, type ProcessStackOptions } from './process-stack.ts';
export { startStack, type StackOptions, type TestStack } from './stack.ts';
export { TEST_JWT_SECRET, signTestToken } from './tokens.ts';
export { FAST_STATS, adminToken, startDashboardStack } from './admin/dashboard-stack.ts';
export { authedClient, dartEvent } from './support.ts';
