// Node-only additions; kept out of the main entry so that browser bundles never see `node:` imports.
export { JsonFileStorage, StorageFileError } from './storage/json-file-storage.ts';
