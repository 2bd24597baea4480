import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Development secrets for `vocflow start` on a laptop: generated once, kept in
 * `.vocflow/dev-secrets.json` (git-ignored, mode 0600), and given to the services as environment
 * variables unless the environment already sets them. Never used when the operator provides them.
 */
export type DevSecrets = Readonly<Record<string, string>>;

const token = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`;
const standardWebhooks = () => `whsec_${randomBytes(32).toString('base64')}`;

/** Variable name → how to make a value. */
export const DEV_SECRET_KINDS: Readonly<Record<string, () => string>> = {
  /** Write: the ingest endpoints that take an API key (interviews, mentions, customers). */
  INGEST_API_KEYS: () => token('vf_dev_in_'),
  /** Read: the query API and the dashboard (no contact details). */
  QUERY_API_KEYS: () => token('vf_dev_q_'),
  /** Erase: `DELETE /v1/customers/{id}`. */
  ERASE_API_KEYS: () => token('vf_dev_er_'),
  WEBHOOK_SECRET_TYPEFORM: () => token(''),
  WEBHOOK_SECRET_TALLY: () => token(''),
  WEBHOOK_SECRET_DELIGHTED: () => token(''),
  WEBHOOK_SECRET_FORMBRICKS: standardWebhooks,
  WEBHOOK_SECRET_GENERIC: standardWebhooks,
  WEBHOOK_SECRET_ZENDESK: () => token(''),
  /** Jotform's URL token (`/v1/webhooks/jotform/{token}`): 32 characters. */
  WEBHOOK_SECRET_JOTFORM: () => token(''),
  /** Enrichment's salt for PII tokens and customer-reference pseudonyms (kept, so joins stay stable). */
  PII_HASH_SALT: () => token(''),
};

export function devSecretsPath(projectRoot: string): string {
  return join(projectRoot, '.vocflow', 'dev-secrets.json');
}

/**
 * Reads the stored secrets, adds any that are missing, writes them back; returns the current kinds
 * (a variable no longer generated, such as the deprecated API_KEYS of older checkouts, stays in the
 * file but is not given to the services) and which were new.
 */
export function loadOrCreateDevSecrets(file: string): { secrets: DevSecrets; created: string[] } {
  const stored: Record<string, string> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>)
    : {};
  const created: string[] = [];
  for (const [name, make] of Object.entries(DEV_SECRET_KINDS)) {
    if (typeof stored[name] !== 'string' || stored[name] === '') {
      stored[name] = make();
      created.push(name);
    }
  }
  if (created.length > 0) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  const current = Object.fromEntries(Object.keys(DEV_SECRET_KINDS).map((name) => [name, stored[name]!]));
  return { secrets: current, created };
}

/** The first of a comma-separated list (the key to print or to use). */
export function firstOf(list: string | undefined): string | undefined {
  return list
    ?.split(',')
    .map((s) => s.trim())
    .find(Boolean);
}
