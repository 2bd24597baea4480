import {
  formatEnvLines,
  formatStatus,
  type RuntimeChoice,
  SERVICE_NAMES,
  type ServiceName,
  StackError,
  type StackOptions,
  stackDown,
  stackStatus,
  stackUp,
  startService,
  stopService,
} from '@vocflow/stack';
import { type Command, InvalidArgumentError, Option } from 'commander';

interface StackCommandOptions {
  readonly runtime: RuntimeChoice;
  readonly stateDir?: string;
  readonly kafkaPort: number;
  readonly kafkaControllerPort: number;
  readonly s3Port: number;
  readonly redisPort: number;
  readonly bucket: string;
  readonly timeout: number;
  readonly quiet?: boolean;
}

function port(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 65_535) {
    throw new InvalidArgumentError('a port is a whole number from 1 to 65535');
  }
  return parsed;
}

function seconds(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('a positive number of seconds');
  return parsed;
}

function serviceName(value: string): ServiceName {
  if (!(SERVICE_NAMES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`one of ${SERVICE_NAMES.join(', ')}`);
  }
  return value as ServiceName;
}

/** The options every `vocflow stack` subcommand shares. */
function withStackOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--runtime <runtime>',
        'where the services run: local java processes, or containers via Docker',
      )
        .choices(['auto', 'local', 'containers'])
        .default('auto'),
    )
    .option('--state-dir <dir>', 'state folder (jars classpath, logs, data, pid files)', undefined)
    .option('--kafka-port <port>', 'Kafka broker port on 127.0.0.1', port, 19092)
    .option('--kafka-controller-port <port>', 'Kafka KRaft controller port on 127.0.0.1', port, 19093)
    .option('--s3-port <port>', 'S3Proxy port on 127.0.0.1', port, 19000)
    .option('--redis-port <port>', 'Redis port on 127.0.0.1 (a Redis already there is reused)', port, 6379)
    .option('--bucket <name>', 'S3 bucket created after S3 is ready', 'vocflow')
    .option('--timeout <seconds>', 'how long each service may take to become ready', seconds, 120)
    .option('-q, --quiet', 'no progress lines on stderr');
}

function stackOptions(options: StackCommandOptions): StackOptions {
  const started = Date.now();
  return {
    runtime: options.runtime,
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    ports: {
      kafka: options.kafkaPort,
      kafkaController: options.kafkaControllerPort,
      s3: options.s3Port,
      redis: options.redisPort,
    },
    bucket: options.bucket,
    timeoutMs: options.timeout * 1000,
    onProgress: options.quiet
      ? () => undefined
      : (message) =>
          process.stderr.write(`[stack ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}\n`),
  };
}

/** Known problems become one clear line and exit code 1; anything else keeps its stack trace. */
async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof StackError)) throw error;
    process.stderr.write(`vocflow stack: ${error.message}\n`);
    process.exitCode = 1;
  }
}

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('a local Kafka, S3 (S3Proxy) and Redis for development and tests, without Docker')
    .addHelpText(
      'after',
      `
The local runtime runs Apache Kafka 3.9 (KRaft) and S3Proxy as java processes, with jars fetched from
Maven Central by Maven, and uses the Redis on 127.0.0.1:6379 (or starts redis-server). State lives
in .vocflow/stack/ at the project root. Requirements: java 17+, mvn, redis-server (installed when
absent, as root). With --runtime containers the same services run as Docker containers.

Examples:
  eval "$(vocflow stack up --export)"   bring the stack up and export its settings into this shell
  vocflow stack up > .env              write the settings as KEY=value lines (no export prefix)
  vocflow stack status                 which services answer, and who started them
  vocflow stack down                   stop what the stack started`,
    );

  withStackOptions(
    stack
      .command('up')
      .description(
        'start Kafka, S3 (and its bucket) and Redis, or reuse them when already running; wait until each ' +
          'really works; print the settings as KAFKA_BROKERS=…, REDIS_URL=…, S3_* lines on stdout',
      )
      .option('--export', 'prefix each settings line with `export `'),
  ).action(async (options: StackCommandOptions & { export?: boolean }) =>
    run(async () => {
      const result = await stackUp(stackOptions(options));
      const summary = Object.entries(result.services)
        .map(([name, outcome]) => `${name} ${outcome}`)
        .join(', ');
      if (!options.quiet) process.stderr.write(`[stack] ready (${result.runtime}): ${summary}\n`);
      const lines = formatEnvLines(result.settings)
        .split('\n')
        .map((line) => (options.export ? `export ${line}` : line));
      process.stdout.write(`${lines.join('\n')}\n`);
    }),
  );

  withStackOptions(
    stack
      .command('down')
      .description(
        'stop what `stack up` started (SIGTERM, then SIGKILL); a Redis or Kafka it reused is left alone',
      ),
  ).action(async (options: StackCommandOptions) =>
    run(async () => {
      const result = await stackDown(stackOptions(options));
      for (const [name, outcome] of Object.entries(result.services)) {
        process.stdout.write(`${name}: ${outcome === 'external' ? 'not ours, left running' : outcome}\n`);
      }
    }),
  );

  withStackOptions(
    stack
      .command('status')
      .description(
        'show each service as ready or not ready, with its address; exit code 1 unless all are ready',
      )
      .option('--json', 'print the status as JSON'),
  ).action(async (options: StackCommandOptions & { json?: boolean }) =>
    run(async () => {
      const status = await stackStatus(stackOptions(options));
      process.stdout.write(
        options.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatStatus(status)}\n`,
      );
      if (!status.ready) process.exitCode = 1;
    }),
  );

  withStackOptions(
    stack
      .command('stop-service')
      .argument('<service>', `one of ${SERVICE_NAMES.join(', ')}`, serviceName)
      .description('stop one service the stack started (fault drills)'),
  ).action(async (service: ServiceName, options: StackCommandOptions) =>
    run(async () => {
      process.stdout.write(`${service}: ${await stopService(service, stackOptions(options))}\n`);
    }),
  );

  withStackOptions(
    stack
      .command('start-service')
      .argument('<service>', `one of ${SERVICE_NAMES.join(', ')}`, serviceName)
      .description('start (or reuse) one service and wait until it is ready'),
  ).action(async (service: ServiceName, options: StackCommandOptions) =>
    run(async () => {
      process.stdout.write(`${service}: ${await startService(service, stackOptions(options))}\n`);
    }),
  );
}
