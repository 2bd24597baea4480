export { ARCHIVE_ROOT, archiveObjectKey } from './archive.sink.ts';
export { AggregationEnv, loadConfig } from './config.ts';
export { FEEDS_ROOT, MANIFEST_KEY } from './feeds.writer.ts';
export { type AggregationHandle, start } from './main.ts';
export { createS3ObjectStore, type ObjectStore } from './object.store.ts';
export { listArchiveObjects, type RebuildProgress, rebuildRollups } from './rebuild.ts';
