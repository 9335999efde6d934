export { startProcessStack, type ProcessStack, type ProcessStackOptions } from './process-stack.ts';
export { startStack, type StackOptions, type TestStack } from './stack.ts';
export { TEST_JWT_SECRET, signTestToken } from './tokens.ts';
