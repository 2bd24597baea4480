/** `stackUp`, `stackDown`, `stackStatus` and single-service control, over either runtime. */
import { existsSync } from 'node:fs';
import { StackError } from './errors.ts';
import { localRuntime } from './local-runtime.ts';
import { DEFAULT_STATE_DIR, stackPaths } from './paths.ts';
import { commandExists } from './processes.ts';
import type {
  RuntimeChoice,
  RuntimeContext,
  RuntimeName,
  ServiceStatus,
  StackRuntime,
  StartOutcome,
  StopOutcome,
} from './runtime.ts';
import {
  DEFAULT_BUCKET,
  DEFAULT_PORTS,
  localSettings,
  SERVICE_NAMES,
  type ServiceName,
  type StackPorts,
  type StackSettings,
} from './settings.ts';

export const KAFKA_VERSION = '3.9.1';
export const S3PROXY_VERSION = '4.0.0';

export interface StackOptions {
  /** `auto` (default): the runtime of a stack already up, else local when java is on PATH, else containers. */
  readonly runtime?: RuntimeChoice;
  /** Default `<project>/.vocflow/stack`. */
  readonly stateDir?: string;
  readonly ports?: Partial<StackPorts>;
  readonly bucket?: string;
  /** How long each service may take to become ready; default 120 s. */
  readonly timeoutMs?: number;
  readonly kafkaVersion?: string;
  readonly s3proxyVersion?: string;
  /** Progress lines (downloading jars, waiting); default: none. */
  readonly onProgress?: (message: string) => void;
}

export interface StackUpResult {
  readonly runtime: RuntimeName;
  readonly settings: StackSettings;
  readonly services: Readonly<Record<ServiceName, StartOutcome>>;
}

export interface StackDownResult {
  readonly runtime: RuntimeName;
  readonly services: Readonly<Record<ServiceName, StopOutcome>>;
}

export interface StackStatus {
  readonly runtime: RuntimeName;
  readonly settings: StackSettings;
  readonly ready: boolean;
  readonly services: readonly ServiceStatus[];
}

function contextFor(options: StackOptions): RuntimeContext {
  const ports: StackPorts = { ...DEFAULT_PORTS, ...options.ports };
  return {
    paths: stackPaths(options.stateDir ?? DEFAULT_STATE_DIR),
    ports,
    settings: localSettings(ports, options.bucket ?? DEFAULT_BUCKET),
    timeoutMs: options.timeoutMs ?? 120_000,
    kafkaVersion: options.kafkaVersion ?? KAFKA_VERSION,
    s3proxyVersion: options.s3proxyVersion ?? S3PROXY_VERSION,
    progress: options.onProgress ?? (() => undefined),
  };
}

/** Loaded on demand: testcontainers pulls in a Docker client the local runtime never needs. */
async function containers(): Promise<{ runtime: StackRuntime; available: () => Promise<boolean> }> {
  const module = await import('./containers-runtime.ts');
  return { runtime: module.containersRuntime, available: module.containerRuntimeAvailable };
}

async function chooseRuntime(choice: RuntimeChoice, context: RuntimeContext): Promise<StackRuntime> {
  if (choice === 'local') return localRuntime;
  const { runtime, available } = await containers();
  if (choice === 'containers') {
    if (await available()) return runtime;
    throw new StackError(
      '--runtime containers: no container runtime answers (is the Docker engine running?); ' +
        'use --runtime local (needs java and mvn)',
    );
  }
  if (existsSync(context.paths.containersFile) && (await available())) return runtime;
  if (commandExists('java', ['-version'])) return localRuntime;
  if (await available()) return runtime;
  throw new StackError(
    'cannot bring up a stack: `java` is not on PATH (the local runtime runs Kafka and S3Proxy on a JVM; ' +
      'install Java 17+ and Maven) and no container runtime answers (start Docker for --runtime containers)',
  );
}

async function settleAll<T>(names: readonly ServiceName[], run: (name: ServiceName) => Promise<T>) {
  const results = await Promise.allSettled(names.map(run));
  const failures = results.flatMap((result) =>
    result.status === 'rejected' ? [result.reason as Error] : [],
  );
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new StackError(failures.map((error) => error.message).join('\n\n'));
  return Object.fromEntries(
    names.map((name, index) => [name, (results[index] as PromiseFulfilledResult<T>).value]),
  ) as Record<ServiceName, T>;
}

/**
 * Brings up Kafka, S3 (with the bucket) and Redis and waits until each really works; reuses what
 * already runs. Throws a `StackError` that names what is missing or which log to read.
 */
export async function stackUp(options: StackOptions = {}): Promise<StackUpResult> {
  const context = contextFor(options);
  const runtime = await chooseRuntime(options.runtime ?? 'auto', context);
  // Redis first (quick, and may need an install); the two JVMs start side by side.
  const redis = await runtime.start('redis', context);
  const rest = await settleAll(['kafka', 's3'], (name) => runtime.start(name, context));
  return { runtime: runtime.name, settings: context.settings, services: { ...rest, redis } };
}

/**
 * The services a `stackUp` call started itself — not those it found running (`reused`, started by
 * an earlier `stack up` or another run) nor `external` servers. What its caller stops at the end.
 */
export function startedBy(result: Pick<StackUpResult, 'services'>): ServiceName[] {
  return SERVICE_NAMES.filter((name) => result.services[name] === 'started');
}

/**
 * Stops exactly what one `stackUp` call started (`npm start` on Ctrl-C, `npm test` at the end), so
 * a stack that was already running — another terminal's, another checkout's — is left alone. Pass
 * the same options as to `stackUp`.
 */
export async function stopStarted(
  result: StackUpResult,
  options: StackOptions = {},
): Promise<Partial<Record<ServiceName, StopOutcome>>> {
  const names = startedBy(result);
  if (names.length === 0) return {};
  const context = contextFor(options);
  const runtime = result.runtime === 'local' ? localRuntime : (await containers()).runtime;
  const outcomes = await settleAll(names, (name) => runtime.stop(name, context));
  return Object.fromEntries(names.map((name) => [name, outcomes[name]]));
}

/** Stops what this stack started (SIGTERM, then SIGKILL); servers it reused are left alone. */
export async function stackDown(options: StackOptions = {}): Promise<StackDownResult> {
  const context = contextFor(options);
  const runtime = await statusRuntime(options, context);
  const services = await settleAll(SERVICE_NAMES, (name) => runtime.stop(name, context));
  return { runtime: runtime.name, services };
}

async function statusRuntime(options: StackOptions, context: RuntimeContext): Promise<StackRuntime> {
  if (options.runtime === 'local' || options.runtime === undefined) {
    if (options.runtime === 'local' || !existsSync(context.paths.containersFile)) return localRuntime;
  }
  return chooseRuntime(options.runtime ?? 'auto', context);
}

export async function stackStatus(options: StackOptions = {}): Promise<StackStatus> {
  const context = contextFor(options);
  const runtime = await statusRuntime(options, context);
  const services = await Promise.all(SERVICE_NAMES.map((name) => runtime.status(name, context)));
  return {
    runtime: runtime.name,
    settings: context.settings,
    ready: services.every((service) => service.ready),
    services,
  };
}

/** Stops one service this stack started (fault drills: "Kafka goes away"). */
export async function stopService(name: ServiceName, options: StackOptions = {}): Promise<StopOutcome> {
  const context = contextFor(options);
  return (await statusRuntime(options, context)).stop(name, context);
}

/** Starts (or reuses) one service and waits until it is ready again. */
export async function startService(name: ServiceName, options: StackOptions = {}): Promise<StartOutcome> {
  const context = contextFor(options);
  return (await statusRuntime(options, context)).start(name, context);
}
