import { CustomerProfile, decode } from '@vocflow/contracts';
import { dlq, type InboundMessage, ok, type StepResult } from '@vocflow/kafka';
import type { AggregationOutput } from '../types.ts';

/** A `customers.v1` record: a profile to keep for the API, or a tombstone (null value) deleting it. */
export function createParseCustomerStep() {
  return async function parseCustomerStep(message: InboundMessage): Promise<StepResult<AggregationOutput>> {
    if (message.value === null || message.value.length === 0) {
      const customerId = message.key?.toString('utf8');
      if (!customerId) return dlq('parseCustomerStep', 'invalid_tombstone', 'a tombstone without a key');
      return ok({ kind: 'profile_deleted', customerId });
    }
    const decoded = decode(CustomerProfile, message.value);
    if (!decoded.ok)
      return dlq('parseCustomerStep', 'invalid_schema', 'not a valid customers.v1 record', decoded.issues);
    return ok({ kind: 'profile', profile: decoded.value });
  };
}
