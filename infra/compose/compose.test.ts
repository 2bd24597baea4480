import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WEBHOOK_SECRET_VARIABLES } from '@vocflow/sources';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AggregationEnv, loadConfig as loadAggregation } from '../../services/aggregation/src/config.ts';
import { ApiEnv, loadConfig as loadApi } from '../../services/api/src/config.ts';
import { EnrichmentEnv, loadConfig as loadEnrichment } from '../../services/enrichment/src/config.ts';
import { IngestEnv, loadConfig as loadIngest } from '../../services/ingest/src/config.ts';

/**
 * docker-compose.yml checked without a Docker engine: it parses, publishes no store beyond this
 * machine, holds no secret, sets only variables the services read, and the secrets it generates on
 * first start make every service's configuration valid.
 */
const root = new URL('../../', import.meta.url).pathname;
const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, { ports?: string[]; environment?: Record<string, string>; command?: unknown }>;
  'x-vocflow-env': Record<string, string>;
};
const env = compose['x-vocflow-env'];
const SERVICES = ['ingest', 'enrichment', 'aggregation', 'api'] as const;
const STORES = ['kafka', 'redis', 's3'] as const;
const SECRET_NAME = /SECRET|PASSWORD|API_KEY|_KEYS$|TOKEN|CREDENTIAL|ACCESS_KEY/;

/** The variable names an environment schema reads (through its refinements and transform). */
function variablesOf(schema: unknown): string[] {
  let current = schema as
    | { shape?: object; _zod?: { def?: { in?: unknown; innerType?: unknown } } }
    | undefined;
  while (current && !current.shape)
    current = (current._zod?.def?.in ?? current._zod?.def?.innerType) as typeof current;
  return Object.keys(current?.shape ?? {});
}

/** Runs the `secrets` service's script once, into a temporary directory; returns the file. */
function generateSecrets(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vocflow-compose-'));
  execFileSync('sh', [join(root, 'infra/compose/init-secrets.sh'), dir], { stdio: 'ignore' });
  return join(dir, 'vocflow.env');
}

/** What a service started through the wrapper sees (`extra`: the host's own variables). */
function wrapped(file: string, extra: Record<string, string> = {}): Record<string, string> {
  const out = execFileSync('sh', [join(root, 'infra/compose/with-secrets.sh'), 'env'], {
    env: { PATH: process.env['PATH'] ?? '', VOCFLOW_SECRETS_FILE: file, ...extra },
    encoding: 'utf8',
  });
  return Object.fromEntries(
    out
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** `${NAME:-}` → '' (nothing set on the host), other values as written. */
const resolved = Object.fromEntries(
  Object.entries(env).map(([name, value]) => [name, String(value).replace(/\$\{[A-Z0-9_]+:-\}/g, '')]),
);

describe('docker-compose.yml', () => {
  it('publishes Kafka, Redis and S3 on 127.0.0.1 only', () => {
    for (const store of STORES) {
      const ports = compose.services[store]?.ports ?? [];
      expect(ports.length, store).toBeGreaterThan(0);
      for (const port of ports) expect(port, store).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
    }
    expect(compose.services['api']?.ports).toEqual(['127.0.0.1:8081:8081']);
  });

  it('holds no literal secret: every secret variable comes from the host or the generated file', () => {
    for (const [name, value] of Object.entries(env))
      if (SECRET_NAME.test(name)) expect(value, name).toBe(`\${${name}:-}`);
    expect(env['REDIS_URL']).toBe(`\${REDIS_URL:-}`);
    const text = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    expect(text).not.toMatch(/whsec_[A-Za-z0-9+/]{8}/);
    expect(text).not.toMatch(/S3PROXY_AUTHORIZATION:\s*none/);
    expect(text).toMatch(/--requirepass/);
  });

  it('sets the SurveyMonkey variables ingest and enrichment read, not a made-up one', () => {
    expect(WEBHOOK_SECRET_VARIABLES).toEqual(
      expect.arrayContaining(['SURVEYMONKEY_API_KEY', 'SURVEYMONKEY_API_SECRET']),
    );
    expect(Object.keys(env)).toEqual(
      expect.arrayContaining([
        'SURVEYMONKEY_API_KEY',
        'SURVEYMONKEY_API_SECRET',
        'SURVEYMONKEY_ACCESS_TOKEN',
      ]),
    );
    expect(Object.keys(env).filter((name) => name.startsWith('WEBHOOK_SECRET_'))).toEqual(
      expect.arrayContaining(WEBHOOK_SECRET_VARIABLES.filter((n) => n.startsWith('WEBHOOK_SECRET_'))),
    );
    expect(env).not.toHaveProperty('WEBHOOK_SECRET_SURVEYMONKEY');
  });

  it('sets only variables some service reads', () => {
    const read = new Set([
      ...[IngestEnv, EnrichmentEnv, AggregationEnv, ApiEnv].flatMap(variablesOf),
      ...WEBHOOK_SECRET_VARIABLES,
    ]);
    expect(read.size).toBeGreaterThan(50);
    // Read by kafkajs itself, not by a vocflow schema.
    const external = new Set(['KAFKAJS_NO_PARTITIONER_WARNING']);
    for (const name of Object.keys(env)) if (!external.has(name)) expect(read.has(name), name).toBe(true);
  });

  it('gives every service a valid configuration once the generated secrets are filled in', {
    timeout: 60_000,
  }, () => {
    const file = generateSecrets();
    const secrets = wrapped(file);
    expect(Object.keys(secrets)).toEqual(
      expect.arrayContaining(['REDIS_URL', 'S3_SECRET_ACCESS_KEY', 'INGEST_API_KEYS', 'QUERY_API_KEYS']),
    );
    const full: Record<string, string> = { ...resolved };
    for (const [name, value] of Object.entries(secrets)) if (!full[name]) full[name] = value;
    expect(loadIngest(full).kafka.brokers).toEqual(['kafka:19092']);
    expect(loadEnrichment(full).redis.url).toMatch(/^redis:\/\/:.+@redis:6379/);
    expect(loadAggregation(full).topics.replicationFactor).toBe(1);
    expect(loadApi(full)).toBeDefined();
    // The host's own value wins over the generated one.
    expect(wrapped(file, { QUERY_API_KEYS: 'my-own-key' })['QUERY_API_KEYS']).toBe('my-own-key');
  });

  it('starts every service through the secrets wrapper', () => {
    for (const name of [...SERVICES, 'topics'])
      expect(compose.services[name]?.command, name).toEqual(
        expect.arrayContaining(['infra/compose/with-secrets.sh']),
      );
  });

  it('builds an image that installs every workspace (each package.json copied before npm ci)', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    for (const dir of ['packages', 'services'])
      for (const name of readdirSync(join(root, dir)))
        expect(dockerfile, `${dir}/${name}`).toContain(`COPY ${dir}/${name}/package.json ${dir}/${name}/`);
  });

  it('applies in the image every install patch the root postinstall applies (its npm ci runs no scripts)', () => {
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const patches = scripts['postinstall']?.match(/packages\/[\w/.-]+\.mjs/g) ?? [];
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) {
      expect(existsSync(join(root, patch)), patch).toBe(true);
      expect(dockerfile, patch).toContain(`node ${patch}`);
    }
  });
});
