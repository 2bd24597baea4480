/**
 * The containers runtime, for machines where Docker (or Podman) runs: the same three services as
 * containers started through testcontainers, published on the same host ports as the local runtime,
 * so the settings are identical. Containers are started with `withReuse()`, which keeps them out of
 * the testcontainers reaper: they outlive `vocflow stack up` until `vocflow stack down`.
 * Their ids are recorded in `<state>/containers.json`.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GenericContainer, getContainerRuntimeClient } from 'testcontainers';
import { StackError } from './errors.ts';
import { isListening } from './ports.ts';
import { ensureBucket, type ProbeResult, probeKafka, probeRedis, probeS3, waitUntilReady } from './probes.ts';
import type { RuntimeContext, ServiceStatus, StackRuntime, StartOutcome, StopOutcome } from './runtime.ts';
import type { ServiceName } from './settings.ts';

export const IMAGES = Object.freeze({
  kafka: 'apache/kafka:3.9.1',
  redis: 'redis:7-alpine',
  s3: 'andrewgaul/s3proxy:latest',
});

/** True when a container engine answers (fails within milliseconds when none runs). */
export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

function definition(service: ServiceName, context: RuntimeContext): GenericContainer {
  const { ports } = context;
  switch (service) {
    case 'kafka':
      // Setting any KAFKA_* variable drops the image's defaults: the single-node settings are explicit.
      return new GenericContainer(IMAGES.kafka)
        .withExposedPorts({ container: 9092, host: ports.kafka })
        .withEnvironment({
          KAFKA_NODE_ID: '1',
          KAFKA_PROCESS_ROLES: 'broker,controller',
          KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
          KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${ports.kafka}`,
          KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
          KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
          KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
          KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
          KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
          KAFKA_DEFAULT_REPLICATION_FACTOR: '1',
          KAFKA_MIN_INSYNC_REPLICAS: '1',
          KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
          KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
          KAFKA_HEAP_OPTS: '-Xms256m -Xmx512m',
        })
        .withReuse();
    case 's3':
      return new GenericContainer(IMAGES.s3)
        .withExposedPorts({ container: 80, host: ports.s3 })
        .withEnvironment({
          S3PROXY_AUTHORIZATION: 'none',
          S3PROXY_ENDPOINT: 'http://0.0.0.0:80',
          S3PROXY_IGNORE_UNKNOWN_HEADERS: 'true',
          JCLOUDS_PROVIDER: 'filesystem',
          JCLOUDS_FILESYSTEM_BASEDIR: '/data',
        })
        .withReuse();
    case 'redis':
      return new GenericContainer(IMAGES.redis)
        .withExposedPorts({ container: 6379, host: ports.redis })
        .withCommand(['redis-server', '--appendonly', 'yes'])
        .withReuse();
  }
}

function probe(service: ServiceName, context: RuntimeContext): Promise<ProbeResult> {
  if (service === 'kafka') return probeKafka(context.settings.kafkaBrokers);
  if (service === 's3') return probeS3(context.settings.s3);
  return probeRedis(context.settings.redisUrl);
}

function address(service: ServiceName, context: RuntimeContext): string {
  if (service === 'kafka') return context.settings.kafkaBrokers.join(',');
  if (service === 's3') return context.settings.s3.endpoint;
  return context.settings.redisUrl;
}

function port(service: ServiceName, context: RuntimeContext): number {
  return service === 'kafka'
    ? context.ports.kafka
    : service === 's3'
      ? context.ports.s3
      : context.ports.redis;
}

type ContainerIds = Partial<Record<ServiceName, string>>;

function readIds(file: string): ContainerIds {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ContainerIds) : {};
}

function writeIds(file: string, ids: ContainerIds): void {
  if (Object.keys(ids).length === 0) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(ids, null, 2)}\n`);
}

async function runningContainer(id: string | undefined): Promise<boolean> {
  if (id === undefined) return false;
  try {
    const client = await getContainerRuntimeClient();
    const info = await client.container.inspect(client.container.getById(id));
    return info.State.Running;
  } catch {
    return false;
  }
}

export const containersRuntime: StackRuntime = {
  name: 'containers',

  async start(service: ServiceName, context: RuntimeContext): Promise<StartOutcome> {
    const file = context.paths.containersFile;
    const ids = readIds(file);
    const ours = await runningContainer(ids[service]);
    if (!ours && (await isListening('127.0.0.1', port(service, context)))) {
      if (!(await probe(service, context)).ready) {
        throw new StackError(`port ${port(service, context)} for ${service} is taken by another program`);
      }
      if (service === 's3') await ensureBucket(context.settings.s3);
      return 'external';
    }
    context.progress(`${service}: starting container ${IMAGES[service]}…`);
    const started = await definition(service, context).start();
    writeIds(file, { ...readIds(file), [service]: started.getId() });
    const result = await waitUntilReady(() => probe(service, context), { timeoutMs: context.timeoutMs });
    if (!result.ready) {
      throw new StackError(
        `${service} container ${started.getId().slice(0, 12)} did not become ready: ${result.detail} ` +
          `(see \`docker logs ${started.getId().slice(0, 12)}\`)`,
      );
    }
    if (service === 's3') await ensureBucket(context.settings.s3);
    return ours ? 'reused' : 'started';
  },

  async stop(service: ServiceName, context: RuntimeContext): Promise<StopOutcome> {
    const file = context.paths.containersFile;
    const ids = readIds(file);
    const id = ids[service];
    if (id === undefined) {
      return (await isListening('127.0.0.1', port(service, context))) ? 'external' : 'not-running';
    }
    context.progress(`${service}: stopping container ${id.slice(0, 12)}…`);
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(id);
    await client.container.stop(container, { timeout: 20 }).catch(() => undefined);
    await client.container.remove(container, { removeVolumes: true }).catch(() => undefined);
    delete ids[service];
    writeIds(file, ids);
    return 'stopped';
  },

  async status(service: ServiceName, context: RuntimeContext): Promise<ServiceStatus> {
    const id = readIds(context.paths.containersFile)[service];
    const ours = await runningContainer(id);
    const result = await probe(service, context);
    return {
      name: service,
      address: address(service, context),
      ready: result.ready,
      owner: ours ? 'stack' : result.ready ? 'external' : 'none',
      ...(ours && id !== undefined ? { containerId: id.slice(0, 12) } : {}),
      ...(result.detail !== undefined ? { detail: result.detail } : {}),
    };
  },
};
