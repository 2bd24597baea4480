import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  COUNT_SDK_CALLS,
  costCountersRequested,
  costCounts,
  countSdkCalls,
  disableCostCounters,
  enableCostCounters,
  observeKafkaInstance,
  observeRedis,
  registerCostCounters,
} from './cost-counters.ts';

function fakeRedis() {
  const sent: string[] = [];
  return {
    sent,
    sendCommand(command: { name: string }, _stream?: unknown) {
      sent.push(command.name);
      return command.name;
    },
  };
}

function fakeKafkaInstance() {
  const emitter = new EventEmitter();
  return Object.assign(emitter, { events: { REQUEST: 'consumer.network.request' } });
}

function fakeSdkClient() {
  const middleware: ((next: (a: unknown) => Promise<unknown>, c: { commandName?: string }) => unknown)[] = [];
  return {
    middleware,
    middlewareStack: {
      add(m: (typeof middleware)[number]) {
        middleware.push(m);
      },
    },
    /** Runs a call through the added middleware the way the SDK does. */
    async call(commandName: string) {
      let handler = async (args: unknown) => args;
      for (const m of middleware) handler = m(handler, { commandName }) as typeof handler;
      return handler({});
    },
  };
}

afterEach(() => disableCostCounters());

describe('cost counters', () => {
  it('is requested by VOCFLOW_COST_COUNTERS=1 or =promises only', () => {
    expect(costCountersRequested({ VOCFLOW_COST_COUNTERS: '1' })).toBe(true);
    expect(costCountersRequested({ VOCFLOW_COST_COUNTERS: 'promises' })).toBe(true);
    expect(costCountersRequested({ VOCFLOW_COST_COUNTERS: '0' })).toBe(false);
    expect(costCountersRequested({})).toBe(false);
  });

  it('counts nothing and wraps nothing while off', async () => {
    const redis = fakeRedis();
    const original = redis.sendCommand;
    expect(observeRedis(redis).sendCommand).toBe(original);
    const kafka = fakeKafkaInstance();
    observeKafkaInstance(kafka);
    expect(kafka.listenerCount('consumer.network.request')).toBe(0);
    const s3 = fakeSdkClient();
    s3.middlewareStack.add(countSdkCalls);
    await s3.call('PutObjectCommand');
    expect(costCounts().s3Calls).toEqual({});
    setTimeout(() => undefined, 0);
    expect(costCounts().resources).toEqual({});
  });

  it('counts timers and immediates created while on', async () => {
    enableCostCounters();
    for (let i = 0; i < 3; i += 1) clearTimeout(setTimeout(() => undefined, 1_000));
    await new Promise<void>((resolve) => setImmediate(resolve));
    const counts = costCounts().resources;
    expect(counts['Timeout']).toBeGreaterThanOrEqual(3);
    expect(counts['Immediate']).toBeGreaterThanOrEqual(1);
  });

  it('counts promises only when asked to', async () => {
    enableCostCounters();
    await Promise.all([Promise.resolve(1), new Promise((resolve) => setImmediate(resolve))]);
    expect(costCounts().resources['PROMISE']).toBeUndefined();
    disableCostCounters();
    enableCostCounters({ promises: true });
    await Promise.all([Promise.resolve(1), new Promise((resolve) => setImmediate(resolve))]);
    expect(costCounts().resources['PROMISE']).toBeGreaterThanOrEqual(2);
  });

  it('counts every write handed to a socket, and stops when disabled', async () => {
    const server = net.createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => client.once('connect', resolve));
    try {
      enableCostCounters();
      const write = (chunk: string) => new Promise((resolve) => client.write(chunk, resolve));
      await write('a');
      await write('b');
      client.cork();
      client.write('c');
      client.write('d');
      client.uncork();
      await write('e');
      expect(costCounts().socketWrites).toBe(4);
      disableCostCounters();
      await write('f');
      expect(costCounts().socketWrites).toBe(0);
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('counts Kafka requests by API from the instrumentation event', () => {
    enableCostCounters();
    const consumer = observeKafkaInstance(fakeKafkaInstance());
    for (const apiName of ['Fetch', 'Fetch', 'OffsetCommit', 'Heartbeat'])
      consumer.emit('consumer.network.request', { payload: { apiName } });
    expect(costCounts().kafkaRequests).toEqual({ Fetch: 2, OffsetCommit: 1, Heartbeat: 1 });
  });

  it('counts Redis commands, one round trip per connection and synchronous stretch, and one per pipeline', async () => {
    enableCostCounters();
    const redis = observeRedis(fakeRedis());
    const other = observeRedis(fakeRedis());
    expect(observeRedis(redis)).toBe(redis);
    redis.sendCommand({ name: 'get' });
    redis.sendCommand({ name: 'evalsha' });
    other.sendCommand({ name: 'get' });
    const pipeline = { isPipeline: true };
    for (const name of ['multi', 'hincrby', 'hincrby', 'exec']) redis.sendCommand({ name }, pipeline);
    // Wrapped once, still sends every command.
    expect(redis.sent).toEqual(['get', 'evalsha', 'multi', 'hincrby', 'hincrby', 'exec']);
    expect(costCounts().redisRoundTrips).toBe(3);
    await new Promise((resolve) => process.nextTick(resolve));
    redis.sendCommand({ name: 'get' });
    const counts = costCounts();
    expect(counts.redisCommands).toEqual({ get: 3, evalsha: 1, multi: 1, hincrby: 2, exec: 1 });
    expect(counts.redisRoundTrips).toBe(4);
  });

  it('counts S3 calls by command through a middleware', async () => {
    enableCostCounters();
    const s3 = fakeSdkClient();
    s3.middlewareStack.add(countSdkCalls);
    expect(COUNT_SDK_CALLS.step).toBe('initialize');
    await s3.call('PutObjectCommand');
    await s3.call('PutObjectCommand');
    await s3.call('ListObjectsV2Command');
    expect(costCounts().s3Calls).toEqual({ PutObjectCommand: 2, ListObjectsV2Command: 1 });
  });

  it('exposes the counts on a registry', async () => {
    const off = new Registry();
    registerCostCounters(off);
    expect(await off.metrics()).toBe('\n');
    enableCostCounters();
    const registry = new Registry();
    registerCostCounters(registry);
    observeKafkaInstance(fakeKafkaInstance()).emit('consumer.network.request', {
      payload: { apiName: 'Produce' },
    });
    observeRedis(fakeRedis()).sendCommand({ name: 'get' });
    clearTimeout(setTimeout(() => undefined, 1_000));
    const text = await registry.metrics();
    expect(text).toContain('vocflow_cost_kafka_requests_total{api="Produce"} 1');
    expect(text).toContain('vocflow_cost_redis_commands_total{command="get"} 1');
    expect(text).toContain('vocflow_cost_redis_round_trips_total 1');
    expect(text).toMatch(/vocflow_cost_resources_total\{type="Timeout"\} \d+/);
    expect(text).toContain('vocflow_cost_socket_writes_total 0');
  });
});
