/** Generic-format feedback and Standard Webhooks signatures, as a survey tool would send them. */
import { randomBytes } from 'node:crypto';
import { signStandardWebhooks } from '@vocflow/sources';

/** A fresh Standard Webhooks secret (`whsec_` + base64 of 32 random bytes). */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface SignedRequest {
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** Headers for one delivery; the same `webhook-id` on every retry of the same event. */
export function signedRequest(secret: string, id: string, body: string, now = Date.now()): SignedRequest {
  const timestamp = Math.floor(now / 1000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signStandardWebhooks(secret, id, timestamp, body),
    },
  };
}

const COMMENTS = [
  'Support answered quickly and solved it.',
  'Delivery was late again and nobody told me.',
  'The new dashboard is easy to use.',
  'Price went up but quality stayed the same.',
  'Okay overall.',
];

/** One generic feedback item (`POST /v1/webhooks/generic`), deterministic for its index. */
export function genericFeedback(
  runId: string,
  index: number,
  occurredAt = new Date(),
): Record<string, unknown> {
  return {
    id: `${runId}-${index}`,
    kind: 'survey_response',
    occurredAt: occurredAt.toISOString(),
    customer: { id: `cus_${index % 500}` },
    scores: { nps: index % 11, csat: 1 + (index % 5), ces: 1 + (index % 7) },
    text: COMMENTS[index % COMMENTS.length],
  };
}
