export { type AlertRule, AlertRules, DEFAULT_ALERT_RULES, evaluateAlerts } from './alerts.rules.ts';
export { type EnrichmentConfig, EnrichmentEnv, loadConfig } from './config.ts';
export { createPseudonymKeying } from './customer-ref.pseudonyms.ts';
export { type EnrichmentHandle, type EnrichmentOverrides, start } from './main.ts';
export { createPiiRedactor, type PiiRedactor } from './pii.redactor.ts';
export { type SegmentRule, SegmentRules, segmentsFor, slug } from './segments.rules.ts';
export { signWebhook } from './webhook.sender.ts';
