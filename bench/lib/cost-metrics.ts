/**
 * The fixed-cost counters of a service process (`VOCFLOW_COST_COUNTERS=1`, read from its `/metrics`),
 * their difference over a step, and the per-event figures of the report's fixed-cost table.
 */

export interface CostSnapshot {
  readonly resources: Readonly<Record<string, number>>;
  readonly kafkaRequests: Readonly<Record<string, number>>;
  readonly redisCommands: Readonly<Record<string, number>>;
  readonly redisRoundTrips: number;
  readonly s3Calls: Readonly<Record<string, number>>;
  readonly socketWrites: number;
}

const FAMILIES = {
  vocflow_cost_resources_total: ['resources', 'type'],
  vocflow_cost_kafka_requests_total: ['kafkaRequests', 'api'],
  vocflow_cost_redis_commands_total: ['redisCommands', 'command'],
  vocflow_cost_s3_calls_total: ['s3Calls', 'command'],
} as const;

/** Reads the `vocflow_cost_*` counters out of a Prometheus text exposition. */
export function parseCostMetrics(text: string): CostSnapshot {
  const maps = {
    resources: {} as Record<string, number>,
    kafkaRequests: {} as Record<string, number>,
    redisCommands: {} as Record<string, number>,
    s3Calls: {} as Record<string, number>,
  };
  let redisRoundTrips = 0;
  let socketWrites = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('vocflow_cost_')) continue;
    const match = /^(\w+)(?:\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const [, name, labels = '', value] = match;
    const n = Number(value);
    if (!Number.isFinite(n)) continue;
    if (name === 'vocflow_cost_redis_round_trips_total') {
      redisRoundTrips += n;
      continue;
    }
    if (name === 'vocflow_cost_socket_writes_total') {
      socketWrites += n;
      continue;
    }
    const family = FAMILIES[name as keyof typeof FAMILIES];
    if (!family) continue;
    const [key, label] = family;
    const found = new RegExp(`(?:^|,)${label}="((?:[^"\\\\]|\\\\.)*)"`).exec(labels);
    if (!found) continue;
    const map = maps[key];
    map[found[1]!] = (map[found[1]!] ?? 0) + n;
  }
  return { ...maps, redisRoundTrips, socketWrites };
}

const minus = (after: Readonly<Record<string, number>>, before: Readonly<Record<string, number>>) => {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(after)) {
    const d = n - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
};

/** What happened between two snapshots of the same process. */
export function costDelta(before: CostSnapshot, after: CostSnapshot): CostSnapshot {
  return {
    resources: minus(after.resources, before.resources),
    kafkaRequests: minus(after.kafkaRequests, before.kafkaRequests),
    redisCommands: minus(after.redisCommands, before.redisCommands),
    redisRoundTrips: after.redisRoundTrips - before.redisRoundTrips,
    s3Calls: minus(after.s3Calls, before.s3Calls),
    socketWrites: after.socketWrites - before.socketWrites,
  };
}

/** The columns of the fixed-cost table, per event. */
export interface CostPerEvent {
  readonly kafkaFetch: number;
  readonly kafkaProduce: number;
  readonly kafkaOffsetCommit: number;
  readonly kafkaHeartbeat: number;
  readonly kafkaOther: number;
  readonly redisCommands: number;
  readonly redisRoundTrips: number;
  readonly s3Calls: number;
  /** `Timeout` + `Immediate` created. */
  readonly timers: number;
  /** Writes handed to a socket (Kafka, Redis, S3, HTTP answers). */
  readonly socketWrites: number;
  /** `process.nextTick` callbacks queued. */
  readonly nextTicks: number;
  /** Promises created; null unless the services counted them (`VOCFLOW_COST_COUNTERS=promises`). */
  readonly promises: number | null;
}

export const COST_COLUMNS: readonly (readonly [keyof CostPerEvent, string])[] = [
  ['kafkaFetch', 'Kafka Fetch'],
  ['kafkaProduce', 'Kafka Produce'],
  ['kafkaOffsetCommit', 'Kafka OffsetCommit'],
  ['kafkaHeartbeat', 'Kafka Heartbeat'],
  ['kafkaOther', 'Kafka other'],
  ['redisCommands', 'Redis commands'],
  ['redisRoundTrips', 'Redis round trips'],
  ['s3Calls', 'S3 calls'],
  ['timers', 'timers'],
  ['socketWrites', 'socket writes'],
  ['nextTicks', 'nextTicks'],
];

const sum = (map: Readonly<Record<string, number>>) => Object.values(map).reduce((a, b) => a + b, 0);

export function perEvent(delta: CostSnapshot, events: number): CostPerEvent {
  const e = Math.max(events, 1);
  const k = delta.kafkaRequests;
  const named = (k['Fetch'] ?? 0) + (k['Produce'] ?? 0) + (k['OffsetCommit'] ?? 0) + (k['Heartbeat'] ?? 0);
  return {
    kafkaFetch: (k['Fetch'] ?? 0) / e,
    kafkaProduce: (k['Produce'] ?? 0) / e,
    kafkaOffsetCommit: (k['OffsetCommit'] ?? 0) / e,
    kafkaHeartbeat: (k['Heartbeat'] ?? 0) / e,
    kafkaOther: (sum(k) - named) / e,
    redisCommands: sum(delta.redisCommands) / e,
    redisRoundTrips: delta.redisRoundTrips / e,
    s3Calls: sum(delta.s3Calls) / e,
    timers: ((delta.resources['Timeout'] ?? 0) + (delta.resources['Immediate'] ?? 0)) / e,
    socketWrites: delta.socketWrites / e,
    nextTicks: (delta.resources['TickObject'] ?? 0) / e,
    promises: delta.resources['PROMISE'] === undefined ? null : delta.resources['PROMISE'] / e,
  };
}
