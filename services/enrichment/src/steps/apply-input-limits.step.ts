import {
  channelVocabulary,
  DEFAULT_CHANNELS,
  DEFAULT_MAX_EVENT_AGE_DAYS,
  eventTimeIssue,
  normalizeChannel,
  ORIGINAL_CHANNEL_ATTRIBUTE,
} from '@vocflow/contracts';
import { dlq, ok, type StepResult } from '@vocflow/kafka';
import type { Parsed } from '../types.ts';

export interface InputLimits {
  /** Event times more than this many days before receipt go to the DLQ. Default 3650. */
  readonly maxEventAgeDays?: number | undefined;
  /** The channel vocabulary; empty or absent: the default one. */
  readonly channels?: readonly string[] | undefined;
}

/**
 * The limits ingest applies, applied again to what reaches the worker (a record produced by an older
 * ingest, a replay, a hydrated response whose event time changed): an event time outside
 * [receivedAt − maxEventAgeDays, receivedAt + 1 day] goes to the DLQ as `event_time_out_of_range`; a
 * channel outside the vocabulary counts as `other`, its value kept in `channel_original`.
 */
export function createApplyInputLimitsStep(limits: InputLimits = {}) {
  const maxAgeDays = limits.maxEventAgeDays ?? DEFAULT_MAX_EVENT_AGE_DAYS;
  const vocabulary = channelVocabulary(limits.channels?.length ? limits.channels : DEFAULT_CHANNELS);
  return function applyInputLimitsStep(item: Parsed): StepResult<Parsed> {
    const { raw } = item;
    const issue = eventTimeIssue(raw.occurredAt, raw.receivedAt, maxAgeDays);
    if (issue) return dlq('applyInputLimitsStep', 'event_time_out_of_range', issue.message, [issue]);
    const { channel, original } = normalizeChannel(raw.channel, vocabulary);
    if (original === undefined && channel === raw.channel) return ok(item);
    return ok({
      ...item,
      raw: {
        ...raw,
        channel,
        ...(original === undefined
          ? {}
          : { attributes: { ...raw.attributes, [ORIGINAL_CHANNEL_ATTRIBUTE]: original } }),
      },
    });
  };
}
