import { type EnrichedFeedback, EnrichedFeedback as EnrichedSchema, encode } from '@vocflow/contracts';
import { fetchTopicOffsetsSettled } from '@vocflow/kafka';
import { enrichedItem } from '@vocflow/rollups/testing';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';

/** Helpers shared by the integration tests and the benchmark (real Kafka; nothing mocked). */

export function kafkaFor(brokers: readonly string[]): Kafka {
  return new Kafka({
    clientId: 'vocflow-aggregation-test',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
  });
}

export async function produceItems(
  producer: Producer,
  topic: string,
  items: readonly EnrichedFeedback[],
): Promise<void> {
  for (let i = 0; i < items.length; i += 500) {
    await producer.send({
      topic,
      acks: -1,
      messages: items
        .slice(i, i + 500)
        .map((item) => ({ key: item.feedbackId, value: encode(EnrichedSchema, item) })),
    });
  }
}

/**
 * Resolves when the group committed every partition of the topic up to its end. A topic just created
 * may have no leader yet for a moment: its offsets are asked until the broker has one.
 */
export async function waitForCommitted(
  admin: Admin,
  groupId: string,
  topic: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ends = await fetchTopicOffsetsSettled(admin, topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = new Map(committed?.partitions.map((p) => [p.partition, BigInt(p.offset)]));
    if (ends.every((e) => e.high === e.low || (byPartition.get(e.partition) ?? -1n) >= BigInt(e.high)))
      return;
    if (Date.now() > deadline)
      throw new Error(`group ${groupId} did not reach the end of ${topic} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms (last: ${JSON.stringify(value)?.slice(0, 300)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const CATEGORY = (score: number): 'promoter' | 'passive' | 'detractor' =>
  score >= 9 ? 'promoter' : score >= 7 ? 'passive' : 'detractor';

/**
 * A deterministic synthetic stream: `n` items over customers, segments, days, channels and aspects.
 * `live` spreads them over `customers` customers within the last two hours instead (what a running
 * deployment sees: event time close to now).
 */
export function syntheticItems(
  n: number,
  seed = 'fb',
  live?: { customers: number; now: Date },
): EnrichedFeedback[] {
  const items: EnrichedFeedback[] = [];
  for (let i = 0; i < n; i++) {
    const nps = i % 11;
    const customer = `cust-${i % (live?.customers ?? 37)}`;
    const score = ((i % 21) - 10) / 10;
    items.push(
      enrichedItem({
        feedbackId: `${seed}-${i}`,
        providerResponseId: `${seed}-${i}`,
        channel: ['survey', 'email', 'social'][i % 3]!,
        occurredAt: live
          ? new Date(live.now.getTime() - (i % 7_200) * 1_000).toISOString()
          : new Date(Date.UTC(2026, 10, 18 + (i % 3), i % 24, i % 60)).toISOString(),
        customer: { ref: { id: customer }, key: i % 10 === 0 ? 'unknown' : customer, profile: null },
        scores: { nps },
        normalized: {
          nps: { score: nps, category: CATEGORY(nps) },
          ...(i % 2 === 0 ? { csat: { score: (i % 5) + 1, satisfied: (i % 5) + 1 >= 4 } } : {}),
          ...(i % 3 === 0 ? { ces: { score: (i % 7) + 1 } } : {}),
        },
        sentiment: {
          score,
          label: score < -0.2 ? 'negative' : score > 0.2 ? 'positive' : 'neutral',
          confidence: 0.9,
          language: 'en',
          supported: true,
          aspects:
            i % 4 === 0
              ? [{ aspect: ['price', 'support'][i % 2]!, score: score / 2, label: 'neutral', evidence: [] }]
              : [],
          analyzerVersion: 'test',
        },
        segments: [`tier:${['enterprise', 'smb'][i % 2]}`, `region:${['emea', 'amer', 'apac'][i % 3]}`],
        texts: i % 5 === 0 ? [{ field: 'comment', text: `comment ${i} from ${seed}` }] : [],
      }),
    );
  }
  return items;
}
