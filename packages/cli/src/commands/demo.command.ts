import { existsSync, readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '@vocflow/stack';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { createDemoGenerator, type DemoRequest, type DemoSecrets } from '../demo/demo-traffic.ts';
import { devSecretsPath, firstOf } from '../dev-secrets.ts';
import { arg, httpUrl, Invalid, integer, positiveNumber, UsageError } from '../options.ts';

/** Feedback requests sent when neither --count nor --duration is given. */
const DEFAULT_COUNT = 600;

interface DemoOptions {
  readonly ingestUrl?: string;
  /** Requests per second. */
  readonly rate: number;
  readonly count?: number;
  /** Seconds. */
  readonly duration?: number;
  readonly customers: number;
  readonly days: number;
  /** Percentage of customers (and so of feedback) writing in Chinese. */
  readonly chinesePercent: number;
  readonly seed?: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Secrets from the environment first, else the development secrets `vocflow start` generated. */
export function demoSecrets(env: Env, file: string): DemoSecrets {
  const stored: Record<string, string> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
    : {};
  const get = (name: string) => firstOf(env[name] ?? stored[name]);
  // INGEST_API_KEYS writes; the deprecated API_KEYS still does.
  const ingestApiKey = get('INGEST_API_KEYS') ?? get('API_KEYS');
  if (!ingestApiKey) {
    throw new Error(`no ingest API key: set INGEST_API_KEYS or run \`npm start\` once to create ${file}`);
  }
  const optional = (key: keyof DemoSecrets, name: string) => {
    const value = get(name);
    return value ? { [key]: value } : {};
  };
  return {
    ingestApiKey,
    ...optional('typeform', 'WEBHOOK_SECRET_TYPEFORM'),
    ...optional('tally', 'WEBHOOK_SECRET_TALLY'),
    ...optional('delighted', 'WEBHOOK_SECRET_DELIGHTED'),
    ...optional('formbricks', 'WEBHOOK_SECRET_FORMBRICKS'),
    ...optional('generic', 'WEBHOOK_SECRET_GENERIC'),
  };
}

async function send(base: string, request: DemoRequest): Promise<number> {
  try {
    const response = await fetch(new URL(request.path, base), {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(15_000),
    });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

export async function runDemo(
  options: DemoOptions,
  env: Env = process.env,
): Promise<{ sent: number; accepted: number; statuses: Record<string, number> }> {
  const port = env['INGEST_PORT'] === undefined ? 8080 : integer({ min: 1, max: 65_535 })(env['INGEST_PORT']);
  if (options.ingestUrl === undefined && port instanceof Invalid)
    throw new UsageError([`INGEST_PORT (for the default --ingest-url): ${port.problem}, got "${port.raw}"`]);
  const base = options.ingestUrl ?? `http://127.0.0.1:${port}`;
  const rate = options.rate;
  const count =
    options.count ?? (options.duration !== undefined ? Math.ceil(rate * options.duration) : DEFAULT_COUNT);
  const generator = createDemoGenerator({
    secrets: demoSecrets(env, devSecretsPath(PROJECT_ROOT)),
    customers: options.customers,
    days: options.days,
    chineseShare: options.chinesePercent / 100,
    seed: options.seed ?? Date.now() % 2 ** 31,
  });
  const statuses: Record<string, number> = {};
  const tally = (kind: string, status: number) => {
    const key = `${kind} ${status === 0 ? 'unreachable' : status}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  };

  for (const request of generator.profileRequests()) tally('customers', await send(base, request));
  if (Object.keys(statuses).every((k) => k.endsWith('unreachable'))) {
    throw new Error(`ingest does not answer at ${base} (is \`npm start\` running?)`);
  }

  const bar = new SingleBar({
    format: 'demo traffic [{bar}] {value}/{total} sent · {accepted} accepted · {rate}/s',
    hideCursor: true,
  });
  bar.start(count, 0, { accepted: 0, rate });
  let accepted = 0;
  let sent = 0;
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = generator.next();
    const promise = send(base, request).then((status) => {
      sent += 1;
      if (status >= 200 && status < 300) accepted += 1;
      tally(request.kind, status);
      bar.update(sent, { accepted });
    });
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise));
    if (inFlight.size >= 32) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  bar.stop();
  return { sent, accepted, statuses };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'send realistic, signed demo traffic (surveys, interviews, mentions, CRM profiles) through the ingest endpoints',
    )
    .option(
      '--ingest-url <url>',
      'where ingest listens (default http://127.0.0.1:$INGEST_PORT or :8080)',
      arg(httpUrl),
    )
    .option('--rate <perSecond>', 'requests per second (up to 10000)', arg(positiveNumber(10_000)), 20)
    .option(
      '--count <n>',
      `how many feedback requests to send (1 to 10000000, default ${DEFAULT_COUNT})`,
      arg(integer({ min: 1, max: 10_000_000 })),
    )
    .option(
      '--duration <seconds>',
      'send for this long instead of a count (up to 86400)',
      arg(positiveNumber(86_400)),
    )
    .option(
      '--customers <n>',
      'how many CRM profiles to create (1 to 100000)',
      arg(integer({ min: 1, max: 100_000 })),
      60,
    )
    .option(
      '--days <n>',
      'spread event times over this many past days (1 to 3650)',
      arg(integer({ min: 1, max: 3650 })),
      14,
    )
    .option(
      '--chinese-percent <n>',
      'percentage of customers writing in Chinese (Simplified, some Traditional; Weibo, Xiaohongshu, WeChat mentions), 0 to 100',
      arg(integer({ min: 0, max: 100 })),
      30,
    )
    .option('--seed <n>', 'repeat a run exactly (a whole number)', arg(integer({ min: 0, max: 2 ** 31 - 1 })))
    .action(async (options: DemoOptions) => {
      if (options.count !== undefined && options.duration !== undefined)
        throw new UsageError(['--count and --duration: give one of them, not both']);
      const result = await runDemo(options);
      const lines = Object.entries(result.statuses)
        .sort()
        .map(([key, n]) => `  ${key.padEnd(24)} ${n}`);
      process.stdout.write(
        `\n${result.accepted}/${result.sent} feedback requests accepted\n${lines.join('\n')}\n`,
      );
      if (result.accepted === 0) process.exitCode = 1;
    });
}
