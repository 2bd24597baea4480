import { createHash, randomUUID } from 'node:crypto';
import {
  ERASURE_BY_HEADER,
  ERASURE_EMAIL_HEADER,
  ERASURE_EMAIL_KEY_PREFIX,
  ERASURE_ID_HEADER,
} from '@vocflow/contracts';
import { Problem } from '@vocflow/http';
import type { OutboundMessage } from '@vocflow/kafka';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** Who asked, for the audit record: `key:` + the first 12 hex of the key's SHA-256 (never the key). */
export function keyIdOf(authorization: string | undefined): string {
  const key = /^Bearer[ \t]+(\S+)/i.exec(authorization ?? '')?.[1];
  if (!key) return 'key:none';
  return `key:${createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 12)}`;
}

const PSEUDONYM = /^hmac:[0-9a-f]{32}$/;
const MAX_ID_CHARS = 256;

export type ErasureSubject = { readonly customerId: string } | { readonly emailKey: string };

/**
 * The tombstone on `customers.v1` that asks for an erasure: keyed by the customer id (or
 * `email:<pseudonym>`), null value, the erasure headers. Pure, so the record is tested alone.
 */
export function erasureRecord(subject: ErasureSubject, erasureId: string, by: string): OutboundMessage {
  if ('customerId' in subject) {
    return {
      key: subject.customerId,
      value: null,
      headers: { [ERASURE_ID_HEADER]: erasureId, [ERASURE_BY_HEADER]: by },
    };
  }
  return {
    key: `${ERASURE_EMAIL_KEY_PREFIX}${subject.emailKey}`,
    value: null,
    headers: {
      [ERASURE_ID_HEADER]: erasureId,
      [ERASURE_BY_HEADER]: by,
      [ERASURE_EMAIL_HEADER]: subject.emailKey,
    },
  };
}

/** Checks a subject from the URL: an id of 1–256 characters, or an email pseudonym (`hmac:` + 32 hex). */
export function parseSubject(params: { id?: string; emailKey?: string }): ErasureSubject {
  if (params.emailKey !== undefined) {
    if (!PSEUDONYM.test(params.emailKey))
      throw new Problem(
        'invalid_body',
        'by-email takes the address pseudonym (hmac: and 32 lowercase hex digits), not the address: `vocflow erase --email` computes it',
      );
    return { emailKey: params.emailKey };
  }
  const id = params.id ?? '';
  if (id.length === 0 || id.length > MAX_ID_CHARS || id.startsWith(ERASURE_EMAIL_KEY_PREFIX))
    throw new Problem(
      'invalid_body',
      `a customer id is 1 to ${MAX_ID_CHARS} characters and does not start with "${ERASURE_EMAIL_KEY_PREFIX}"`,
    );
  return { customerId: id };
}

export interface ErasureRoutesOptions {
  /** `onRequest`: the API-key check (erase scope). */
  readonly authorize: (request: FastifyRequest) => Promise<void>;
  /** Produces the request on `customers.v1` and resolves once Kafka acknowledged it. */
  readonly publish: (record: OutboundMessage) => Promise<void>;
}

/**
 * `DELETE /v1/customers/{id}` and `DELETE /v1/customers/by-email/{pseudonym}`: 202 once the erasure
 * request is on `customers.v1`, with the erasure id; enrichment and aggregation carry it out (see
 * docs/privacy.md). Repeating a request is harmless: each step is idempotent.
 */
export const erasureRoutes: FastifyPluginAsync<ErasureRoutesOptions> = async (app, options) => {
  const erase = async (request: FastifyRequest, reply: FastifyReply, subject: ErasureSubject) => {
    const erasureId = randomUUID();
    await options.publish(erasureRecord(subject, erasureId, keyIdOf(request.headers.authorization)));
    request.log.info({ erasureId }, 'erasure requested');
    return reply.code(202).send({ erasureId });
  };
  app.delete('/v1/customers/by-email/:emailKey', {
    config: { endpoint: 'erase' },
    onRequest: [options.authorize],
    handler: async function eraseByEmail(request: FastifyRequest, reply: FastifyReply) {
      const { emailKey } = request.params as { emailKey: string };
      return erase(request, reply, parseSubject({ emailKey }));
    },
  });
  app.delete('/v1/customers/:id', {
    config: { endpoint: 'erase' },
    onRequest: [options.authorize],
    handler: async function eraseCustomer(request: FastifyRequest, reply: FastifyReply) {
      const { id } = request.params as { id: string };
      return erase(request, reply, parseSubject({ id }));
    },
  });
};
