import { UNKNOWN_CUSTOMER } from '@vocflow/contracts';
import { ok, type StepResult } from '@vocflow/kafka';
import { type AlertRule, evaluateAlerts } from '../alerts.rules.ts';
import { refKeys } from '../customer-table.store.ts';
import type { Built, EnrichmentOutput } from '../types.ts';

/** Raises the configured alerts and says whether the item must wait for its customer's profile. */
export function createEvaluateAlertsStep({ rules, now }: { rules: readonly AlertRule[]; now: () => Date }) {
  return function evaluateAlertsStep(item: Built): StepResult<EnrichmentOutput> {
    return ok({
      enriched: item.enriched,
      alerts: evaluateAlerts(rules, item.enriched, now()),
      awaitsProfile: item.customer.key === UNKNOWN_CUSTOMER && refKeys(item.raw.customer).length > 0,
    });
  };
}
