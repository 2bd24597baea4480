import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIngestApp, loadConfig as loadIngestConfig } from '@vocflow/ingest';
import { createLogger, createRegistry } from '@vocflow/observability';
import type { Command } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApiApp } from '../../../services/api/src/app.ts';
import { openApiDocument } from '../../../services/api/src/openapi.ts';
import { buildProgram } from './index.ts';

/**
 * What README.md and docs/*.md name must exist: every `vocflow …` command and flag, every environment
 * variable, every HTTP endpoint. Each failure names the file, the line and the name, so whoever changed
 * the docs or the code can fix their own line.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Mention {
  readonly where: string;
  readonly text: string;
}

function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(ROOT, 'docs', name));
  return [join(ROOT, 'README.md'), ...docs];
}

/** The code of a markdown file (fenced blocks and inline code spans), with file:line of each piece. */
function codeOf(file: string): Mention[] {
  const pieces: Mention[] = [];
  let fenced = false;
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      const where = `${relative(ROOT, file)}:${index + 1}`;
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return;
      }
      if (fenced) {
        pieces.push({ where, text: line });
        return;
      }
      for (const match of line.matchAll(/`([^`]+)`/g)) pieces.push({ where, text: match[1] ?? '' });
    });
  return pieces;
}

const ALL_CODE = docFiles().flatMap(codeOf);

// --- commands and flags -------------------------------------------------------------------------

const GLOBAL_FLAGS = new Set(['--help', '-h', '--version', '-V']);

function flagsOf(command: Command): Set<string> {
  const flags = new Set(GLOBAL_FLAGS);
  for (const option of command.options) {
    if (option.long) flags.add(option.long);
    if (option.short) flags.add(option.short);
    // `--no-x` options also answer to `--x` only when declared; commander keeps `long` as written.
  }
  return flags;
}

/** Problems of one `vocflow …` invocation as written in the docs. */
function commandProblems(program: Command, words: readonly string[]): string[] {
  let command = program;
  let i = 0;
  while (i < words.length) {
    const word = words[i] ?? '';
    const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    command = sub;
    i += 1;
  }
  const path = ['vocflow', ...words.slice(0, i)].join(' ');
  const problems: string[] = [];
  const next = words[i];
  if (
    command.commands.length > 0 &&
    next !== undefined &&
    !next.startsWith('-') &&
    command.registeredArguments.length === 0
  )
    problems.push(
      `\`${path} ${next}\`: no such command (${path} has ${command.commands.map((c) => c.name()).join(', ')})`,
    );
  if (problems.length > 0) return problems; // the flags of an unknown command mean nothing
  const flags = flagsOf(command);
  for (const word of words.slice(i)) {
    const flag = /^(--?[a-zA-Z][\w-]*)/.exec(word)?.[1];
    if (flag && !flags.has(flag)) problems.push(`\`${path}\` has no option ${flag}`);
  }
  return problems;
}

/**
 * `vocflow …` invocations in a piece of code: where a shell command starts (start of the piece, after
 * `$ `, `npx `, `$(`, `&&`, `;` or `|`), cut at shell punctuation. `up\\|down` in a table cell stands for
 * each alternative.
 */
function invocations(text: string): string[][] {
  const found: string[][] = [];
  const source = text.replace(/\\\|/g, '¦');
  for (const match of source.matchAll(
    /(?:^\s*(?:\$\s+)?(?:npx\s+)?|\$\(|&&\s*|;\s*|\|\s*)vocflow((?:[ \t]+[^\s|;&)"'`<>#]+)*)/g,
  )) {
    const words = (match[1] ?? '')
      .trim()
      .split(/\s+/)
      .filter((w) => w && !w.startsWith('<') && !w.startsWith('['));
    const split = words.findIndex((w) => w.includes('¦'));
    if (split < 0) found.push(words);
    else
      for (const alternative of (words[split] ?? '').split('¦'))
        found.push([...words.slice(0, split), alternative, ...words.slice(split + 1)]);
  }
  return found;
}

// --- environment variables ----------------------------------------------------------------------

const ENV_NAME = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** Names the code reads: schema keys (`NAME:`), `env.NAME`, `env['NAME']` and quoted `'NAME'`. */
function variablesRead(): Set<string> {
  const names = new Set<string>();
  const dirs = ['packages', 'services', 'bench'].map((d) => join(ROOT, d));
  // The end-to-end tests read a few variables of their own (CHROMIUM_PATH, …).
  const e2e = readdirSync(join(ROOT, 'tests'), { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(ROOT, 'tests', name));
  for (const file of [...dirs.flatMap(sourceFiles), ...e2e]) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(
      /(?:\b([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\s*:)|(?:\.([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b)|(?:['"`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"`])/g,
    ))
      names.add(match[1] ?? match[2] ?? match[3] ?? '');
  }
  // docker compose reads `${NAME}` / `${NAME:-default}` from the operator's environment.
  const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  for (const match of compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) names.add(match[1] ?? '');
  return names;
}

// --- endpoints ----------------------------------------------------------------------------------

interface Route {
  readonly methods: readonly string[];
  /** Path segments; null stands for a parameter (`:id`, `{id}`). */
  readonly segments: readonly (string | null)[];
}

function segmentsOf(path: string, parameter: RegExp): (string | null)[] {
  return path
    .replace(/\/$/, '')
    .split('/')
    .slice(1)
    .map((segment) => (parameter.test(segment) ? null : segment));
}

/**
 * `/v1/x/:id (GET, HEAD)` lines of Fastify's printRoutes. A route under another route is printed as a
 * child of it with the rest of its path only (`/v1/customers (POST)` then `    └── /:id (DELETE)`, or
 * `/ (GET)` then `    ├── healthz (GET)`): the depth of the line (4 characters a level) says which
 * parent's path it continues.
 */
function routesOf(printed: string): Route[] {
  const routes: Route[] = [];
  const parents: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^([\s│├└─]*)(\S+)(?: \(([A-Z, ]+)\))?\s*$/u.exec(line);
    if (!match) continue;
    const depth = Math.floor((match[1] ?? '').length / 4);
    const path = (depth > 0 ? (parents[depth - 1] ?? '') : '') + (match[2] ?? '');
    parents[depth] = path;
    parents.length = depth + 1;
    if (match[3])
      routes.push({ methods: match[3].split(', '), segments: segmentsOf(path.replace(/\/\//g, '/'), /^:/) });
  }
  return routes;
}

function openApiRoutes(): Route[] {
  return Object.entries(openApiDocument('0.0.0').paths as Record<string, Record<string, unknown>>).map(
    ([path, operations]) => ({
      methods: Object.keys(operations).map((m) => m.toUpperCase()),
      segments: segmentsOf(path, /^\{.*\}$/),
    }),
  );
}

/** A documented path matches a route when every segment is equal or either side is a parameter. */
function sameRoute(route: Route, documented: readonly (string | null)[]): boolean {
  return (
    route.segments.length === documented.length &&
    route.segments.every(
      (segment, i) => segment === null || documented[i] === null || segment === documented[i],
    )
  );
}

/** Only vocflow's own paths are checked; docs also quote third-party APIs (`POST /v3/webhooks`). */
const OWN_PATH = '\\/(?:v1\\/|healthz|readyz|metrics|openapi\\.json)[^\\s`"\'),;]*';
const METHOD_PATH = new RegExp(`\\b(GET|POST|PUT|PATCH|DELETE|HEAD)\\s+(${OWN_PATH})`, 'g');
const BARE_PATH = new RegExp(`^(${OWN_PATH})$`);

/** Endpoints named in a piece of code: `GET /v1/x` anywhere, or a code span that is only a path. */
function endpoints(text: string): { method?: string; path: string; segments: (string | null)[] }[] {
  const found: { method?: string; path: string }[] = [];
  for (const match of text.matchAll(METHOD_PATH))
    found.push({ method: match[1] ?? '', path: match[2] ?? '' });
  if (found.length === 0) {
    const bare = BARE_PATH.exec(text.trim());
    if (bare) found.push({ path: bare[1] ?? '' });
  }
  // Placeholders as docs write them ({id}, :id, <id>, *) stand for one segment; queries are not paths.
  return found.map((e) => ({
    ...e,
    segments: segmentsOf(e.path.split('?')[0] ?? '', /^(\{.*\}|<.*>|:\w+|\*)$/),
  }));
}

describe('the docs name only what exists', () => {
  let routes: Route[] = [];

  beforeAll(async () => {
    const logger = createLogger({ service: 'docs-check', level: 'silent' });
    const ingest = await buildIngestApp({
      config: loadIngestConfig({ API_KEYS: 'docs-check' }),
      logger,
      registry: createRegistry('docs-check-ingest'),
      checks: [],
      publisher: { publish: async () => undefined } as never,
      mappings: {},
      publishErasure: async () => undefined,
    });
    const api = await buildApiApp({
      logger,
      registry: createRegistry('docs-check-api'),
      checks: [],
      queries: {} as never,
      pipeline: { counts: async () => null },
      feeds: {} as never,
      apiKeys: ['docs-check'],
      cacheControl: 'no-store',
      version: '0.0.0',
    } as never);
    await Promise.all([ingest.ready(), api.ready()]);
    routes = [
      ...routesOf(ingest.printRoutes({ commonPrefix: false })),
      ...routesOf(api.printRoutes({ commonPrefix: false })),
      ...openApiRoutes(),
    ];
    await Promise.all([ingest.close(), api.close()]);
  });

  it('every `vocflow …` command and flag exists', () => {
    const program = buildProgram();
    const problems = ALL_CODE.flatMap((piece) =>
      invocations(piece.text).flatMap((words) =>
        commandProblems(program, words).map((p) => `${piece.where}: ${p}`),
      ),
    );
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('every environment variable is read by a service, the CLI or the bench', () => {
    const read = variablesRead();
    const problems = ALL_CODE.flatMap((piece) =>
      [...piece.text.matchAll(ENV_NAME)]
        .map((m) => m[0])
        .filter((name) => !read.has(name))
        .map((name) => `${piece.where}: ${name} is read by no service or command`),
    );
    expect([...new Set(problems)], problems.join('\n')).toEqual([]);
  });

  it('every endpoint is a route of ingest or the query API', () => {
    const problems = ALL_CODE.flatMap((piece) =>
      endpoints(piece.text)
        .filter(
          (e) =>
            !routes.some(
              (r) => sameRoute(r, e.segments) && (e.method === undefined || r.methods.includes(e.method)),
            ),
        )
        .map(
          (e) =>
            `${piece.where}: ${e.method ? `${e.method} ` : ''}${e.path} is no route of ingest or the API`,
        ),
    );
    expect(problems, problems.join('\n')).toEqual([]);
  });
});

describe('the docs check itself', () => {
  it('finds what the docs name (so an empty result means they all exist)', () => {
    expect(ALL_CODE.flatMap((p) => invocations(p.text)).length).toBeGreaterThan(20);
    expect(ALL_CODE.flatMap((p) => [...p.text.matchAll(ENV_NAME)]).length).toBeGreaterThan(50);
    expect(ALL_CODE.flatMap((p) => endpoints(p.text)).length).toBeGreaterThan(10);
  });

  it('reports an unknown command, an unknown flag and each alternative of a table cell', () => {
    const program = buildProgram();
    const problems = [
      'vocflow dlq inspect --sinse yesterday',
      'eval "$(vocflow stack upp --export)"',
      'vocflow dlq inspect\\|replay\\|purge [--reason]',
      'the vocflow command', // prose, not an invocation
    ].flatMap((text) => invocations(text).flatMap((words) => commandProblems(program, words)));
    expect(problems).toEqual([
      '`vocflow dlq inspect` has no option --sinse',
      '`vocflow stack upp`: no such command (vocflow stack has up, down, status, stop-service, start-service)',
      '`vocflow dlq purge`: no such command (vocflow dlq has inspect, replay)',
    ]);
  });

  it('matches documented paths with placeholders and leaves third-party APIs alone', () => {
    expect(endpoints('GET /v1/customers/{id}?from=2026-11-01')).toEqual([
      { method: 'GET', path: '/v1/customers/{id}?from=2026-11-01', segments: ['v1', 'customers', null] },
    ]);
    expect(endpoints('POST /v3/webhooks')).toEqual([]);
    expect(endpoints('/healthz')).toEqual([{ path: '/healthz', segments: ['healthz'] }]);
  });
});

describe('the OpenAPI document', () => {
  it('cites only files that are in the repository', () => {
    const text = JSON.stringify(openApiDocument('0.0.0'));
    const cited = [...text.matchAll(/[\w./-]+\.md\b/g)].map((m) => m[0]);
    const missing = cited.filter((file) => {
      try {
        return !statSync(join(ROOT, file)).isFile();
      } catch {
        return true;
      }
    });
    expect(missing, `/openapi.json cites ${missing.join(', ')}`).toEqual([]);
  });
});
