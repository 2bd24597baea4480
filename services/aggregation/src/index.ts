export { ARCHIVE_ROOT, archiveObjectKey } from './archive.sink.ts';
export { AggregationEnv, loadConfig } from './config.ts';
export { FEEDS_ROOT, MANIFEST_KEY } from './feeds.writer.ts';
export { type AggregationHandle, start } from './main.ts';
export { createS3ObjectStore, type ObjectStore } from './object.store.ts';
export {
  listArchiveObjects,
  REBUILD_RETRY,
  type RebuildProgress,
  rebuildRollups,
  withRetry,
} from './rebuild.ts';
