import { UNKNOWN_CUSTOMER } from '@vocflow/contracts';
import { ok, type StepResult } from '@vocflow/kafka';
import { type CustomerLookup, snapshotOf } from '../customer-table.store.ts';
import type { Parsed, Resolved } from '../types.ts';

/** Joins the item to its customer's profile (id, then email, then handle); `unknown` when none matches. */
export function createResolveCustomerStep({ customers }: { customers: CustomerLookup }) {
  return function resolveCustomerStep(item: Parsed): StepResult<Resolved> {
    const profile = customers.resolve(item.raw.customer);
    return ok({
      ...item,
      customer: profile
        ? { key: profile.id, profile, snapshot: snapshotOf(profile) }
        : { key: UNKNOWN_CUSTOMER, profile: undefined, snapshot: null },
    });
  };
}
