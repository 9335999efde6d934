export { runAdmin, type AdminIo } from './run.ts';
