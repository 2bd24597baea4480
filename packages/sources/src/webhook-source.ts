import type { FeedbackSource, RawFeedback } from '@vocflow/contracts';
import type { Adapted, AdapterContext } from './adapters/adapter.ts';
import type { Headers, SignatureCheck } from './signature.ts';

/** How a source's body is decoded: JSON after verification, form fields before it (Qualtrics signs one). */
export type BodyKind = 'json' | 'form' | 'multipart';

/** A delivery as the HTTP edge hands it to a source. */
export interface WebhookRequest {
  /** The exact bytes received (signatures cover them). */
  readonly raw: Buffer;
  readonly headers: Headers;
  /** URL parameters (Jotform's token). */
  readonly params: Readonly<Record<string, string>>;
  /** Form fields of a form or multipart body. */
  readonly form?: Readonly<Record<string, string>>;
  /** The parsed JSON body (decoded only once the delivery is verified). */
  readonly json?: unknown;
}

export interface VerifyOptions {
  readonly nowMs: number;
  /** Tolerance of signed timestamps, either way. */
  readonly toleranceSeconds: number;
}

/** The configured values of the secret variables, by variable name (comma-separated lists). */
export type SecretValues = Readonly<Record<string, readonly string[] | undefined>>;

/**
 * Everything the HTTP edge needs to know about one webhook source: where it posts, in which content
 * types, which variables hold its secrets, how a delivery is verified and how it becomes records.
 * One file per source exports one of these; `WEBHOOK_SOURCES` lists them and ingest registers them all.
 */
export interface WebhookSource<Secret = string> {
  readonly name: FeedbackSource;
  /** The route (Fastify syntax): `/v1/webhooks/<name>`, plus `:token` where the URL is the secret. */
  readonly path: string;
  readonly contentTypes: readonly string[];
  readonly body: BodyKind;
  /** The environment variables holding its secrets, as an operator sets them. */
  readonly secretVariables: readonly string[];
  /** The secrets to try (several during a rotation); none means the source is disabled. */
  secrets(values: SecretValues): readonly Secret[];
  verify(request: WebhookRequest, secrets: readonly Secret[], options: VerifyOptions): SignatureCheck;
  adapt(request: WebhookRequest, context: AdapterContext): Adapted<RawFeedback>;
  /** Whether the answer lists several ids (a batch), rather than one. */
  answersMany?(request: WebhookRequest): boolean;
}

export const JSON_TYPES = ['application/json'] as const;

/** The secrets of a source whose every variable is a plain list. */
export const listed =
  (...variables: string[]) =>
  (values: SecretValues): readonly string[] =>
    variables.flatMap((v) => values[v] ?? []);

/**
 * The common case: `POST /v1/webhooks/<name>` with a JSON body, its secrets in one variable (a
 * comma-separated list). `verify` and `adapt` are what is the source's own.
 */
export function jsonWebhook(
  name: FeedbackSource,
  secretVariable: string,
  verify: WebhookSource['verify'],
  adapt: (body: unknown, context: AdapterContext, request: WebhookRequest) => Adapted<RawFeedback>,
): WebhookSource {
  return {
    name,
    path: `/v1/webhooks/${name}`,
    contentTypes: JSON_TYPES,
    body: 'json',
    secretVariables: [secretVariable],
    secrets: listed(secretVariable),
    verify,
    adapt: (request, context) => adapt(request.json, context, request),
  };
}
