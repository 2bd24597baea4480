/**
 * Fixed-cost counters: what a process spends per event besides its own work — Kafka requests by API,
 * Redis commands and round trips, S3 calls, socket writes, and timers and other async resources created.
 * Off unless `VOCFLOW_COST_COUNTERS=1`; `VOCFLOW_COST_COUNTERS=promises` counts promises too, which turns
 * on V8's promise hooks and roughly halves the throughput of promise-heavy code. When on, every count is a
 * plain integer increment and the registry reads them at scrape time as `vocflow_cost_*_total` counters.
 */
import { createHook } from 'node:async_hooks';
import net from 'node:net';
import { Counter, type Registry } from 'prom-client';

export const COST_COUNTERS_ENV = 'VOCFLOW_COST_COUNTERS';

/** Counts by name; one map per family. */
export interface CostCounts {
  /** async_hooks resource types created (`Timeout`, `Immediate`, `TickObject`, `PROMISE` when asked, …). */
  readonly resources: Readonly<Record<string, number>>;
  /** Writes handed to a socket (`net.Socket`, TLS included; one per write or corked writev). */
  readonly socketWrites: number;
  /** Kafka requests sent, by API (`Fetch`, `Produce`, `OffsetCommit`, `Heartbeat`, …). */
  readonly kafkaRequests: Readonly<Record<string, number>>;
  /** Redis commands sent, by command (`evalsha`, `get`, `exec`, …). */
  readonly redisCommands: Readonly<Record<string, number>>;
  /** Redis round trips: a command sent alone, or a whole pipeline / MULTI written at once. */
  readonly redisRoundTrips: number;
  /** S3 calls by command (`PutObjectCommand`, …), counted once per call (not per retry). */
  readonly s3Calls: Readonly<Record<string, number>>;
}

const tallies = {
  resources: new Map<string, number>(),
  kafkaRequests: new Map<string, number>(),
  redisCommands: new Map<string, number>(),
  s3Calls: new Map<string, number>(),
  redisRoundTrips: 0,
  socketWrites: 0,
};
let enabled = false;
let hook: ReturnType<typeof createHook> | undefined;
let unpatchSockets: (() => void) | undefined;

const bump = (map: Map<string, number>, key: string, by = 1) => map.set(key, (map.get(key) ?? 0) + by);

/** Whether the environment asks for the counters. */
export function costCountersRequested(
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return ['1', 'true', 'promises'].includes(env[COST_COUNTERS_ENV] ?? '');
}

/** Whether counting is on in this process (the helpers below do nothing otherwise). */
export function costCountersEnabled(): boolean {
  return enabled;
}

/**
 * Starts counting (idempotent): an async-hooks `init` hook counts resources by type (promises only
 * with `promises`), and the sockets' write path counts writes (libuv reports a write as a resource only
 * when it could not complete at once, so `WRITEWRAP` would miss most of them).
 */
export function enableCostCounters(options: { promises?: boolean } = {}): void {
  if (enabled) return;
  enabled = true;
  const promises = options.promises ?? process.env[COST_COUNTERS_ENV] === 'promises';
  hook = createHook({ init: (_id, type) => bump(tallies.resources, type), trackPromises: promises });
  hook.enable();
  const socket = net.Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
  const write = socket._writeGeneric;
  socket._writeGeneric = function countedWrite(this: unknown, ...args: unknown[]) {
    tallies.socketWrites += 1;
    return write.apply(this, args);
  };
  unpatchSockets = () => {
    socket._writeGeneric = write;
  };
}

/** Stops counting and forgets every count (tests). */
export function disableCostCounters(): void {
  hook?.disable();
  hook = undefined;
  unpatchSockets?.();
  unpatchSockets = undefined;
  enabled = false;
  tallies.resources.clear();
  tallies.kafkaRequests.clear();
  tallies.redisCommands.clear();
  tallies.s3Calls.clear();
  tallies.redisRoundTrips = 0;
  tallies.socketWrites = 0;
}

export function countKafkaRequest(apiName: string): void {
  if (enabled) bump(tallies.kafkaRequests, apiName);
}

export function countRedisCommand(command: string, roundTrip: boolean): void {
  if (!enabled) return;
  bump(tallies.redisCommands, command);
  if (roundTrip) tallies.redisRoundTrips += 1;
}

export function countS3Call(command: string): void {
  if (enabled) bump(tallies.s3Calls, command);
}

export function costCounts(): CostCounts {
  return {
    resources: Object.fromEntries(tallies.resources),
    kafkaRequests: Object.fromEntries(tallies.kafkaRequests),
    redisCommands: Object.fromEntries(tallies.redisCommands),
    redisRoundTrips: tallies.redisRoundTrips,
    s3Calls: Object.fromEntries(tallies.s3Calls),
    socketWrites: tallies.socketWrites,
  };
}

/** What a Kafka client instance (consumer, producer, admin) offers for its instrumentation events. */
interface Instrumented {
  readonly events: { readonly REQUEST: string };
  on(event: string, listener: (event: { payload: { apiName: string } }) => void): unknown;
}

/** Counts every request a kafkajs consumer, producer or admin sends (its `REQUEST` instrumentation event). */
export function observeKafkaInstance<T extends Instrumented>(instance: T): T {
  if (enabled) instance.on(instance.events.REQUEST, (event) => countKafkaRequest(event.payload.apiName));
  return instance;
}

/** The part of an ioredis client the counters wrap. */
interface RedisLike {
  sendCommand(command: { name: string }, stream?: unknown, ...rest: unknown[]): unknown;
}

const seenPipelineStreams = new WeakSet<object>();
const observedRedis = new WeakSet<object>();
/** Connections that sent a command in the current synchronous stretch (cleared on the next tick). */
let sentThisTick = new Set<object>();
const forgetTick = () => {
  sentThisTick = new Set();
};

/**
 * Counts the commands an ioredis client sends. The commands a connection is given in one synchronous
 * stretch leave in one write (`coalesceWrites` of @vocflow/clients) and count one round trip; so do the
 * commands of one pipeline or MULTI (they arrive with the same pipeline stream). Wraps the prototype of
 * the client's class when given a prototype, else the instance.
 */
export function observeRedis<T extends RedisLike>(target: T): T {
  if (!enabled || observedRedis.has(target)) return target;
  observedRedis.add(target);
  const send = target.sendCommand;
  target.sendCommand = function countedSendCommand(this: object, command, stream, ...rest) {
    let roundTrip: boolean;
    if (stream !== null && typeof stream === 'object') {
      roundTrip = !seenPipelineStreams.has(stream);
      seenPipelineStreams.add(stream);
    } else {
      if (sentThisTick.size === 0) process.nextTick(forgetTick);
      roundTrip = !sentThisTick.has(this);
      sentThisTick.add(this);
    }
    countRedisCommand(command.name, roundTrip);
    return send.call(this, command, stream, ...rest);
  };
  return target;
}

/**
 * An AWS SDK v3 `initialize` middleware that counts each call by command name (once per call; retries
 * are not calls): `client.middlewareStack.add(countSdkCalls, COUNT_SDK_CALLS)`.
 */
export function countSdkCalls<A, R>(
  next: (args: A) => Promise<R>,
  context: { readonly commandName?: string },
): (args: A) => Promise<R> {
  return (args) => {
    countS3Call(context.commandName ?? 'unknown');
    return next(args);
  };
}

export const COUNT_SDK_CALLS = { step: 'initialize', name: 'vocflowCostCounter' } as const;

/**
 * Exposes the counts on a registry as `vocflow_cost_resources_total{type}`,
 * `vocflow_cost_kafka_requests_total{api}`, `vocflow_cost_redis_commands_total{command}`,
 * `vocflow_cost_redis_round_trips_total`, `vocflow_cost_socket_writes_total` and
 * `vocflow_cost_s3_calls_total{command}`. Does nothing while
 * the counters are off.
 */
export function registerCostCounters(registry: Registry): void {
  if (!enabled) return;
  const family = (name: string, help: string, label: string, read: () => Map<string, number>) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [key, n] of read()) this.inc({ [label]: key }, n);
      },
    });
  family(
    'vocflow_cost_resources_total',
    'Async resources created, by type (Timeout, Immediate, TickObject, PROMISE when counted, …)',
    'type',
    () => tallies.resources,
  );
  family(
    'vocflow_cost_kafka_requests_total',
    'Kafka requests sent, by API',
    'api',
    () => tallies.kafkaRequests,
  );
  family(
    'vocflow_cost_redis_commands_total',
    'Redis commands sent, by command',
    'command',
    () => tallies.redisCommands,
  );
  family('vocflow_cost_s3_calls_total', 'S3 calls, by command', 'command', () => tallies.s3Calls);
  const single = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  single(
    'vocflow_cost_redis_round_trips_total',
    'Redis round trips: single commands plus pipelines and transactions written at once',
    () => tallies.redisRoundTrips,
  );
  single('vocflow_cost_socket_writes_total', 'Writes handed to sockets', () => tallies.socketWrites);
}
