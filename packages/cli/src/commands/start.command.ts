import { checkSharedEnv, redactUrl } from '@vocflow/config';
import {
  PROJECT_ROOT,
  type StackUpResult,
  settingsFromEnv,
  settingsToEnv,
  stackUp,
  startedBy,
  stopStarted,
} from '@vocflow/stack';
import type { Command } from 'commander';
import { devSecretsPath, firstOf, loadOrCreateDevSecrets } from '../dev-secrets.ts';
import { arg, choiceList, integer } from '../options.ts';
import {
  portsInUse,
  SERVICE_IDS,
  SERVICES,
  type ServiceId,
  serviceEntry,
  servicePort,
  superviseServices,
  waitForHttp,
} from '../supervisor.ts';
import { ensureTopicsFor } from '../topic-setup.ts';

interface StartOptions {
  readonly only?: readonly ServiceId[];
  readonly topics: boolean;
  readonly devSecrets?: boolean;
  readonly allowUnsigned?: string;
  /** Milliseconds services get to shut down before they are killed. */
  readonly stopDeadline: number;
}

type Env = Record<string, string | undefined>;

const ROLE: Record<ServiceId, string> = {
  ingest: 'webhooks, interviews, mentions, customers',
  api: 'query API',
  enrichment: 'ops: /healthz /readyz /metrics',
  aggregation: 'ops: /healthz /readyz /metrics',
};

/** Creates vocflow's missing topics with the configured replication and retention. */
export async function createTopicsFor(env: Env): Promise<string[]> {
  return ensureTopicsFor(env);
}

function defined(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/**
 * `vocflow start`: the local stack when none is configured, the topics, and the services as processes.
 * When it ends (Ctrl-C, a service failing, an error on the way up), it stops the parts of the local
 * stack it started itself; a stack that was already running stays up.
 */
export async function runStart(
  options: StartOptions,
  write: (line: string) => void = (l) => process.stdout.write(`${l}\n`),
) {
  const started: { stack?: StackUpResult } = {};
  try {
    await runPipeline(options, write, started);
  } finally {
    if (started.stack) await stopLocalStack(started.stack, write);
  }
}

/** Stops what this run's `stackUp` started; a second Ctrl-C meanwhile does not cut it short. */
async function stopLocalStack(stack: StackUpResult, write: (line: string) => void): Promise<void> {
  const names = startedBy(stack);
  if (names.length === 0) return;
  const patience = () => write('  stack: still stopping (Kafka may take up to 30 s)…');
  process.on('SIGINT', patience);
  try {
    write(`Stopping the local ${names.join(', ')} this run started…`);
    await stopStarted(stack, { onProgress: (message) => write(`  stack: ${message}`) });
  } finally {
    process.off('SIGINT', patience);
  }
}

async function runPipeline(
  options: StartOptions,
  write: (line: string) => void,
  started: { stack?: StackUpResult },
) {
  const only = options.only ? SERVICE_IDS.filter((id) => options.only?.includes(id)) : [...SERVICE_IDS];
  // What every service shares is checked before the stack or any service starts (exit 2, all at once).
  checkSharedEnv('vocflow start', process.env);
  let env: Env = { ...process.env };
  let local = false;
  if (settingsFromEnv(env) === undefined) {
    write('No KAFKA_BROKERS / REDIS_URL / S3_ENDPOINT given: bringing up the local stack…');
    const stack = await stackUp({ onProgress: (message) => write(`  stack: ${message}`) });
    started.stack = stack;
    env = { ...settingsToEnv(stack.settings), ...defined(env) };
    local = true;
    write(
      `Local stack ready (${stack.runtime}): Kafka ${stack.settings.kafkaBrokers.join(',')}, Redis ${redactUrl(stack.settings.redisUrl)}, S3 ${stack.settings.s3.endpoint}`,
    );
  }

  let secrets: Readonly<Record<string, string>> = {};
  if (options.devSecrets ?? local) {
    const file = devSecretsPath(PROJECT_ROOT);
    const loaded = loadOrCreateDevSecrets(file);
    secrets = loaded.secrets;
    if (loaded.created.length > 0) write(`Generated development secrets in ${file}`);
    env = { ...secrets, ...defined(env) };
  }
  if (options.allowUnsigned) env['ALLOW_UNSIGNED_SOURCES'] = options.allowUnsigned;

  if (options.topics) {
    const created = await createTopicsFor(env);
    write(created.length > 0 ? `Created topics: ${created.join(', ')}` : 'Topics exist.');
  }

  // A port someone else holds would make a service fail after start, or worse, make another
  // process's /healthz answer for it: refuse before anything is started.
  const taken = await portsInUse(only.map((name) => ({ name, port: servicePort(name, env) })));
  if (taken.length > 0) {
    throw new Error(
      taken
        .map((t) => `port ${t.port} (${SERVICES[t.name].portVar}, ${t.name}) is already in use`)
        .join('; '),
    );
  }

  let failed = false;
  const supervisor = superviseServices({
    services: only.map((name) => ({ name, entry: serviceEntry(name), env })),
    write,
    color: process.stdout.isTTY === true,
    stopDeadlineMs: options.stopDeadline,
    onUnexpectedExit: (exit) => {
      failed = true;
      void supervisor.stop(`${exit.name} exited unexpectedly`);
    },
  });
  const onSignal = (signal: NodeJS.Signals) => {
    void supervisor.stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const alive = () => !failed;
  const ready = await Promise.all(
    only.map((name) => waitForHttp(`http://127.0.0.1:${servicePort(name, env)}/healthz`, 90_000, alive)),
  );
  if (ready.every(Boolean) && !failed) {
    const lines = ['', 'vocflow is running:'];
    for (const name of only) {
      lines.push(`  ${name.padEnd(12)} http://127.0.0.1:${servicePort(name, env)}  (${ROLE[name]})`);
    }
    if (only.includes('api')) {
      // The dashboard only reads: it gets the query key (in the fragment, which never reaches a server).
      const key = firstOf(env['QUERY_API_KEYS']);
      const base = `http://127.0.0.1:${servicePort('api', env)}`;
      lines.push(
        `  dashboard    ${base}/${key && secrets['QUERY_API_KEYS'] === env['QUERY_API_KEYS'] ? `#key=${encodeURIComponent(key)}` : ''}`,
      );
      lines.push(`  openapi      ${base}/openapi.json`);
    }
    const shown = Object.keys(secrets).filter((name) => env[name] === secrets[name]);
    if (shown.length > 0) {
      lines.push(
        '',
        'Development secrets (from .vocflow/dev-secrets.json; set the variables to use your own):',
      );
      for (const name of shown) lines.push(`  ${name}=${secrets[name]}`);
    }
    lines.push('', 'Press Ctrl-C to stop.', '');
    write(lines.join('\n'));
  } else if (!failed) {
    const late = only.filter((_, i) => !ready[i]);
    write(`not answering on /healthz after 90 s: ${late.join(', ')} (still running; see their logs above)`);
  }

  const exits = await supervisor.done;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  if (failed || exits.some((e) => e.unexpected)) process.exitCode = 1;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      `run the pipeline: brings up the local stack when KAFKA_BROKERS, REDIS_URL and S3_ENDPOINT are not set, creates the topics, and runs ${Object.keys(SERVICES).join(', ')} as separate processes`,
    )
    .option(
      '--only <services>',
      `run only these services (comma-separated: ${SERVICE_IDS.join(', ')}), e.g. --only ingest`,
      arg(choiceList(SERVICE_IDS)),
    )
    .option('--no-topics', 'do not create the topics first')
    .option(
      '--dev-secrets',
      'use the development secrets even with an external stack (default: only with the local stack)',
    )
    .option(
      '--allow-unsigned <sources>',
      'accept unsigned webhooks from these sources (local development only)',
    )
    .option(
      '--stop-deadline <ms>',
      'milliseconds services get to shut down before they are killed (100 to 600000)',
      arg(integer({ min: 100, max: 600_000 })),
      30_000,
    )
    .action(async (options: StartOptions) => {
      await runStart(options);
    });
}
