export { DiskStorage, type DiskStorageOptions } from './disk-storage.js';
export { WalCorruptionError, WalError } from './errors.js';
