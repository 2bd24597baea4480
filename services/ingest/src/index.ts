export { buildIngestApp, type IngestAppOptions } from './app.ts';
export { type IngestConfig, IngestEnv, loadConfig, WEBHOOK_SOURCE_NAMES } from './config.ts';
export { benchIngest } from './ingest.bench.ts';
export { type IngestHandle, type IngestOverrides, start } from './main.ts';
