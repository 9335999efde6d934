export { systemClock, type Cancel, type Clock } from './clock.ts';
