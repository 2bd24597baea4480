/**
 * The local runtime: Kafka (KRaft) and S3Proxy as detached java processes with jars from Maven
 * Central, Redis as the machine's `redis-server`; all state under the stack's state folder.
 */

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StackError } from './errors.ts';
import { resolveClasspath } from './jars.ts';
import { canBind, describePortConflict, isListening } from './ports.ts';
import { ensureBucket, type ProbeResult, probeKafka, probeRedis, probeS3, waitUntilReady } from './probes.ts';
import {
  commandExists,
  isAlive,
  ownedPid,
  readPidFile,
  spawnDetached,
  stopProcess,
  tailFile,
} from './processes.ts';
import {
  renderKafkaLog4jProperties,
  renderKafkaServerProperties,
  renderS3ProxyProperties,
} from './render-config.ts';
import type { RuntimeContext, ServiceStatus, StackRuntime, StartOutcome, StopOutcome } from './runtime.ts';
import type { ServiceName } from './settings.ts';

const HOST = '127.0.0.1';

interface LocalService {
  address(context: RuntimeContext): string;
  /** The pid of the process this stack started for the service, if it still runs. */
  ownPid(context: RuntimeContext): number | undefined;
  probe(context: RuntimeContext): Promise<ProbeResult>;
  logFile(context: RuntimeContext): string;
  /** Starts the process; the caller has checked that the port is free. Returns a liveness check. */
  launch(context: RuntimeContext): Promise<() => boolean>;
  /** After the service is ready (bucket creation). */
  afterReady?(context: RuntimeContext): Promise<void>;
}

function requireJava(): void {
  if (!commandExists('java', ['-version'])) {
    throw new StackError(
      '`java` is not on PATH: the local stack runs Kafka and S3Proxy on a JVM (Java 17 or newer; ' +
        'e.g. apt-get install openjdk-17-jre-headless), or use `--runtime containers` where Docker runs',
    );
  }
}

function isRunning(pid: number): () => boolean {
  return () => isAlive(pid);
}

/**
 * Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding (22 characters). One in
 * 64 of those starts with `-`, which `kafka-storage format -t <id>` reads as an option ("expected one
 * argument"): like Kafka's own `Uuid.randomUuid`, draw again until it does not.
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const kafka: LocalService = {
  address: (context) => `${HOST}:${context.ports.kafka}`,
  ownPid: (context) => ownedPid(context.paths.kafka.pidFile, context.paths.kafka.serverProperties),
  probe: (context) => probeKafka(context.settings.kafkaBrokers),
  logFile: (context) => context.paths.kafka.logFile,
  async launch(context) {
    const paths = context.paths.kafka;
    if (!(await canBind(HOST, context.ports.kafkaController))) {
      throw new StackError(describePortConflict('kafka controller', HOST, context.ports.kafkaController));
    }
    requireJava();
    const jars = await resolveClasspath({
      pom: paths.pom,
      cacheFile: paths.classpathFile,
      properties: { 'kafka.version': context.kafkaVersion },
      what: `Kafka ${context.kafkaVersion}`,
      onProgress: context.progress,
    });
    const classpath = jars.join(delimiter);
    mkdirSync(paths.dataDir, { recursive: true });
    writeFileSync(
      paths.serverProperties,
      renderKafkaServerProperties({
        port: context.ports.kafka,
        controllerPort: context.ports.kafkaController,
        logDir: paths.dataDir,
      }),
    );
    writeFileSync(paths.log4jProperties, renderKafkaLog4jProperties(paths.logFile));
    if (!existsSync(join(paths.dataDir, 'meta.properties'))) {
      context.progress('kafka: formatting storage (once)…');
      const format = spawnSync(
        'java',
        [
          '-Xmx256m',
          `-Dlog4j.configuration=file:${paths.log4jProperties}`,
          '-cp',
          classpath,
          'kafka.tools.StorageTool',
          'format',
          '-t',
          newClusterId(),
          '-c',
          paths.serverProperties,
          '--ignore-formatted',
        ],
        { encoding: 'utf8', timeout: 120_000 },
      );
      if (format.status !== 0) {
        throw new StackError(
          `kafka storage format failed (exit ${format.status}): ${(format.stderr || format.stdout || '').trim()}`,
        );
      }
    }
    const pid = spawnDetached({
      command: 'java',
      args: [
        '-Xms256m',
        '-Xmx512m',
        '-XX:+UseG1GC',
        '-XX:MaxGCPauseMillis=20',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        `-Dlog4j.configuration=file:${paths.log4jProperties}`,
        `-Dkafka.logs.dir=${paths.dir}`,
        '-cp',
        classpath,
        'kafka.Kafka',
        paths.serverProperties,
      ],
      outputFile: paths.outputFile,
      pidFile: paths.pidFile,
      cwd: paths.dir,
    });
    return isRunning(pid);
  },
};

const s3: LocalService = {
  address: (context) => context.settings.s3.endpoint,
  ownPid: (context) => ownedPid(context.paths.s3.pidFile, context.paths.s3.properties),
  probe: (context) => probeS3(context.settings.s3),
  logFile: (context) => context.paths.s3.logFile,
  async launch(context) {
    const paths = context.paths.s3;
    requireJava();
    const jars = await resolveClasspath({
      pom: paths.pom,
      cacheFile: paths.classpathFile,
      properties: { 's3proxy.version': context.s3proxyVersion },
      what: `S3Proxy ${context.s3proxyVersion}`,
      onProgress: context.progress,
    });
    mkdirSync(paths.dataDir, { recursive: true });
    writeFileSync(
      paths.properties,
      renderS3ProxyProperties({ port: context.ports.s3, dataDir: paths.dataDir }),
    );
    const pid = spawnDetached({
      command: 'java',
      args: [
        '-Xmx256m',
        '-XX:+UseSerialGC',
        '-XX:+ExitOnOutOfMemoryError',
        '-Djava.awt.headless=true',
        '-cp',
        jars.join(delimiter),
        'org.gaul.s3proxy.Main',
        '--properties',
        paths.properties,
      ],
      outputFile: paths.logFile,
      pidFile: paths.pidFile,
      cwd: paths.dir,
    });
    return isRunning(pid);
  },
  async afterReady(context) {
    const outcome = await ensureBucket(context.settings.s3);
    if (outcome === 'created') context.progress(`s3: created bucket ${context.settings.s3.bucket}`);
  },
};

/** Installs Debian's redis-server when no binary exists (root only), saying so on the progress stream. */
function ensureRedisServer(progress: (message: string) => void): void {
  if (commandExists('redis-server')) return;
  const isRoot = process.getuid?.() === 0;
  if (!isRoot || !commandExists('apt-get', ['--version'])) {
    throw new StackError(
      'no Redis answers on the Redis port and `redis-server` is not on PATH: install Redis 7 ' +
        '(e.g. apt-get install redis-server) or set REDIS_URL to a running one',
    );
  }
  progress('redis: redis-server is not installed; installing Debian package redis-server (apt-get)…');
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'redis-server']]) {
    const result = spawnSync('apt-get', args, {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
    });
    if (result.status !== 0) {
      throw new StackError(`apt-get ${args.join(' ')} failed: ${(result.stderr || '').trim().slice(-800)}`);
    }
  }
  progress('redis: installed redis-server');
}

const redis: LocalService = {
  address: (context) => `${HOST}:${context.ports.redis}`,
  // redis-server rewrites its command line to `redis-server 127.0.0.1:6379`: our own pid file is the proof.
  ownPid: (context) => ownedPid(context.paths.redis.pidFile, 'redis-server'),
  probe: (context) => probeRedis(context.settings.redisUrl),
  logFile: (context) => context.paths.redis.logFile,
  async launch(context) {
    const paths = context.paths.redis;
    ensureRedisServer(context.progress);
    mkdirSync(paths.dataDir, { recursive: true });
    const result = spawnSync(
      'redis-server',
      [
        '--daemonize',
        'yes',
        '--bind',
        HOST,
        '--port',
        String(context.ports.redis),
        '--dir',
        paths.dataDir,
        '--pidfile',
        paths.pidFile,
        '--logfile',
        paths.logFile,
        '--save',
        '',
        '--appendonly',
        'yes',
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (result.status !== 0) {
      throw new StackError(`redis-server failed to start: ${(result.stderr || result.stdout || '').trim()}`);
    }
    // The daemon writes its pid file right after forking; until then, let the readiness timeout decide.
    return () => {
      const pid = readPidFile(paths.pidFile);
      return pid === undefined || isAlive(pid);
    };
  },
};

const SERVICES: Readonly<Record<ServiceName, LocalService>> = { kafka, s3, redis };

function portOf(service: ServiceName, context: RuntimeContext): number {
  return service === 'kafka'
    ? context.ports.kafka
    : service === 's3'
      ? context.ports.s3
      : context.ports.redis;
}

export const localRuntime: StackRuntime = {
  name: 'local',

  async start(name: ServiceName, context: RuntimeContext): Promise<StartOutcome> {
    const service = SERVICES[name];
    const port = portOf(name, context);
    let outcome: StartOutcome = 'reused';
    let stillRunning: () => boolean;
    const ownPid = service.ownPid(context);
    if (ownPid !== undefined) {
      stillRunning = isRunning(ownPid);
    } else if (await isListening(HOST, port)) {
      const probe = await service.probe(context);
      if (!probe.ready) throw new StackError(describePortConflict(name, HOST, port));
      context.progress(`${name}: reusing the server already answering at ${service.address(context)}`);
      await service.afterReady?.(context);
      return 'external';
    } else {
      context.progress(`${name}: starting at ${service.address(context)}…`);
      stillRunning = await service.launch(context);
      outcome = 'started';
    }
    const begun = Date.now();
    const result = await waitUntilReady(() => service.probe(context), {
      timeoutMs: context.timeoutMs,
      stillRunning,
    });
    if (!result.ready) {
      const why =
        result.reason === 'exited' ? 'its process exited' : `not ready after ${context.timeoutMs / 1000}s`;
      throw new StackError(
        `${name} did not become ready at ${service.address(context)}: ${why} (last error: ${result.detail}).\n` +
          `Log file: ${service.logFile(context)}\n${tailFile(service.logFile(context))}`,
      );
    }
    if (outcome === 'started') {
      context.progress(`${name}: ready in ${((Date.now() - begun) / 1000).toFixed(1)}s`);
    }
    await service.afterReady?.(context);
    return outcome;
  },

  async stop(name: ServiceName, context: RuntimeContext): Promise<StopOutcome> {
    const service = SERVICES[name];
    const pid = service.ownPid(context);
    if (pid === undefined) {
      return (await isListening(HOST, portOf(name, context))) ? 'external' : 'not-running';
    }
    context.progress(`${name}: stopping (pid ${pid})…`);
    const how = await stopProcess(pid, name === 'kafka' ? 30_000 : 10_000);
    if (how === 'killed') context.progress(`${name}: did not stop on SIGTERM, killed`);
    return 'stopped';
  },

  async status(name: ServiceName, context: RuntimeContext): Promise<ServiceStatus> {
    const service = SERVICES[name];
    const pid = service.ownPid(context);
    const probe = await service.probe(context);
    const owner = pid !== undefined ? 'stack' : probe.ready ? 'external' : 'none';
    return {
      name,
      address: service.address(context),
      ready: probe.ready,
      owner,
      ...(pid !== undefined ? { pid } : {}),
      ...(probe.detail !== undefined ? { detail: probe.detail } : {}),
      logFile: service.logFile(context),
    };
  },
};
