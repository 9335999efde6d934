export { openEmbeddedStorage, startEmbedded, type Embedded, type EmbeddedOptions } from './embedded.ts';
