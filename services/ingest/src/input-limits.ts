import {
  type ContractIssue,
  channelVocabulary,
  DEFAULT_CHANNELS,
  eventTimeIssue,
  normalizeChannel,
  ORIGINAL_CHANNEL_ATTRIBUTE,
  type RawFeedback,
} from '@vocflow/contracts';
import type { FeedbackPublisher } from './feedback.publisher.ts';
import { Problem } from './problem.ts';

export interface InputLimits {
  /** Event times more than this many days before receipt are refused. */
  readonly maxEventAgeDays: number;
  /** The channels items may name; empty: the default vocabulary. */
  readonly channels: readonly string[];
}

export type Limited =
  | { readonly ok: true; readonly records: RawFeedback[] }
  | { readonly ok: false; readonly issues: ContractIssue[] };

/**
 * Applies the input limits every source shares to adapted records: an event time outside
 * [receivedAt − maxEventAgeDays, receivedAt + 1 day] is an issue (the request is refused), and a
 * channel outside the vocabulary becomes `other`, its value kept in the attribute `channel_original`.
 */
export function createInputLimits(limits: InputLimits): (records: readonly RawFeedback[]) => Limited {
  const vocabulary = channelVocabulary(limits.channels.length > 0 ? limits.channels : DEFAULT_CHANNELS);
  return (records) => {
    const issues: ContractIssue[] = [];
    const out: RawFeedback[] = [];
    for (const [i, record] of records.entries()) {
      const issue = eventTimeIssue(record.occurredAt, record.receivedAt, limits.maxEventAgeDays);
      if (issue) {
        issues.push(records.length > 1 ? { ...issue, path: `[${i}].${issue.path}` } : issue);
        continue;
      }
      const { channel, original } = normalizeChannel(record.channel, vocabulary);
      out.push(
        original === undefined && channel === record.channel
          ? record
          : {
              ...record,
              channel,
              ...(original === undefined
                ? {}
                : { attributes: { ...record.attributes, [ORIGINAL_CHANNEL_ATTRIBUTE]: original } }),
            },
      );
    }
    return issues.length > 0 ? { ok: false, issues } : { ok: true, records: out };
  };
}

/**
 * A publisher that applies the input limits before it writes: a record outside them fails the whole
 * request with 400 (problem+json listing each field path) and nothing is produced.
 */
export function withInputLimits(publisher: FeedbackPublisher, limits: InputLimits): FeedbackPublisher {
  const limit = createInputLimits(limits);
  return {
    async publishFeedback(records) {
      const limited = limit(records);
      if (!limited.ok) {
        const shown = limited.issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
        const more = limited.issues.length > 5 ? `; and ${limited.issues.length - 5} more` : '';
        throw new Problem('invalid_body', `${shown.join('; ')}${more}`, { issues: limited.issues });
      }
      await publisher.publishFeedback(limited.records);
    },
    publishProfiles: (profiles) => publisher.publishProfiles(profiles),
  };
}
