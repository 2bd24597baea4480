import type { CustomerProfile, EnrichedFeedback } from '@vocflow/contracts';
import { ERASURE_BY_HEADER, ERASURE_EMAIL_HEADER, ERASURE_ID_HEADER } from '@vocflow/contracts';
import { describe, expect, it } from 'vitest';
import { createPseudonymKeying } from './customer-ref.pseudonyms.ts';
import { erasureRequestOf } from './customers.consumer.ts';
import { anonymized, identityOf, markerHash, markerRefs } from './erasure.service.ts';

const keying = createPseudonymKeying('test-salt');
const profile: CustomerProfile = {
  schema: 'customers.v1',
  id: 'cus_9',
  email: 'Jane.Doe@Acme.example',
  name: 'Jane Doe',
  handles: ['@JaneD', 'jane_doe'],
  attributes: {},
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('what an erased customer is known by', () => {
  it('is the id, the email and handle pseudonyms, and for parked items the plain forms too', () => {
    const identity = identityOf(
      { erasureId: 'e', requestedBy: 'key:1', customerId: 'cus_9', emailKey: undefined },
      profile,
      keying,
    );
    expect(identity.customerId).toBe('cus_9');
    expect(identity.emailKeys).toEqual([keying.email('jane.doe@acme.example')]);
    expect(identity.handleKeys).toEqual([keying.handle('janed'), keying.handle('jane_doe')]);
    expect(identity.parkedRefs).toEqual(
      expect.arrayContaining([
        { kind: 'id', value: 'cus_9' },
        { kind: 'email', value: keying.email('jane.doe@acme.example') },
        { kind: 'email', value: 'jane.doe@acme.example' },
        { kind: 'handle', value: 'janed' },
      ]),
    );
  });

  it('by address without a profile is the pseudonym alone, with no id', () => {
    const pseudonym = keying.email('nobody@acme.example');
    const identity = identityOf(
      { erasureId: 'e', requestedBy: 'key:1', customerId: undefined, emailKey: pseudonym },
      undefined,
      keying,
    );
    expect(identity).toEqual({
      customerId: '',
      emailKeys: [pseudonym],
      handleKeys: [],
      parkedRefs: [{ kind: 'email', value: pseudonym }],
    });
    expect(markerRefs(identity)).toEqual([{ kind: 'email', value: pseudonym }]);
  });

  it('leaves markers named by a hash that holds neither the id nor the address', () => {
    const hash = markerHash({ kind: 'id', value: 'cus_9' });
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(hash).not.toContain('cus_9');
    expect(markerHash({ kind: 'id', value: 'cus_9' })).toBe(hash);
    expect(markerHash({ kind: 'handle', value: 'cus_9' })).not.toBe(hash);
  });
});

describe('an erasure request on customers.v1', () => {
  it('is a tombstone with the erasure headers; a plain tombstone is not one', () => {
    expect(erasureRequestOf('cus_9', {})).toBeUndefined();
    expect(
      erasureRequestOf('cus_9', {
        [ERASURE_ID_HEADER]: Buffer.from('e-1'),
        [ERASURE_BY_HEADER]: Buffer.from('key:abc'),
      }),
    ).toEqual({ erasureId: 'e-1', requestedBy: 'key:abc', customerId: 'cus_9', emailKey: undefined });
    expect(
      erasureRequestOf('email:hmac:1', {
        [ERASURE_ID_HEADER]: Buffer.from('e-2'),
        [ERASURE_EMAIL_HEADER]: Buffer.from('hmac:1'),
      }),
    ).toEqual({ erasureId: 'e-2', requestedBy: 'unknown', customerId: undefined, emailKey: 'hmac:1' });
  });
});

describe('a record naming an erased customer', () => {
  it('loses its reference and nothing else', () => {
    const record = {
      feedbackId: 'f',
      customer: { ref: { id: 'cus_9', handle: 'hmac:x' }, key: 'unknown', profile: null },
      texts: [{ field: 'comment', text: 'ok' }],
    } as unknown as EnrichedFeedback;
    const out = anonymized(record);
    expect(out.customer).toEqual({ ref: {}, key: 'unknown', profile: null });
    expect(out.texts).toBe(record.texts);
  });
});
