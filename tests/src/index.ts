export { TEST_JWT_SECRET, startStack, type StackOptions, type TestStack } from './stack.ts';
