export { StackError } from './errors.ts';
export { formatStatus } from './format-status.ts';
export { DEFAULT_STATE_DIR, PROJECT_ROOT, type StackPaths, stackPaths } from './paths.ts';
export { type ProbeResult, probeKafka, probeRedis, probeS3 } from './probes.ts';
export type {
  RuntimeChoice,
  RuntimeName,
  ServiceOwner,
  ServiceStatus,
  StartOutcome,
  StopOutcome,
} from './runtime.ts';
export { createS3Client } from './s3-client.ts';
export {
  DEFAULT_BUCKET,
  DEFAULT_PORTS,
  DEFAULT_REGION,
  ENV_NAMES,
  formatEnvLines,
  localSettings,
  type S3Settings,
  SERVICE_NAMES,
  type ServiceName,
  type StackPorts,
  type StackSettings,
  settingsFromEnv,
  settingsToEnv,
} from './settings.ts';
export {
  KAFKA_VERSION,
  S3PROXY_VERSION,
  type StackDownResult,
  type StackOptions,
  type StackStatus,
  type StackUpResult,
  stackDown,
  stackStatus,
  stackUp,
  startedBy,
  startService,
  stopService,
  stopStarted,
} from './stack.ts';
