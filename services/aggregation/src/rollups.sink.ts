import type { CustomerProfile, FeedbackAlert } from '@vocflow/contracts';
import { type BatchContext, type ProcessedMessage, RetryableError, type Sink } from '@vocflow/kafka';
import { Counter, type Registry } from '@vocflow/observability';
import { type ChangedRollup, type Contribution, type RollupWriter, withoutCustomer } from '@vocflow/rollups';
import type { AggregationOutput } from './types.ts';

/** Redis commands and events the rollup sink handled: the measure of "commands per event". */
export interface SinkStats {
  events: number;
  redisCommands: number;
}

export interface RollupsSinkDeps {
  readonly writer: Pick<RollupWriter, 'apply' | 'release' | 'saveProfile' | 'deleteProfile' | 'saveAlerts'>;
  /** Receives the rollups a batch changed (the change feed publishes them). */
  readonly onChanged?: (changed: readonly ChangedRollup[]) => void;
  readonly registry?: Registry;
  /** Shared counters (the change feed adds its reads); a fresh object when absent. */
  readonly stats?: SinkStats;
  /**
   * Of these customer keys, the erased ones (one lookup per batch): a record of an erased customer that
   * was on its way during the erasure, or is replayed, counts anonymously and does not revive them.
   */
  readonly erasedCustomers?: (customerKeys: readonly string[]) => Promise<ReadonlySet<string>>;
}

/**
 * Writes partition batches to Redis and resolves when Redis acknowledged them. The batches handed over
 * in one event-loop turn (the partitions of one fetch) are written together: one erased-customer
 * lookup for all of them, the contributions in one script call per shard (combined in memory; shards
 * follow partitions), then profiles and alerts in the order the batches came. Any Redis
 * failure fails every batch of the turn with a RetryableError('redis'): the runner re-reads their
 * records, and the version check makes the repeated apply change nothing that was already applied.
 */
export function createRollupsSink(
  deps: RollupsSinkDeps,
): Sink<AggregationOutput> & { readonly stats: SinkStats } {
  const stats: SinkStats = deps.stats ?? { events: 0, redisCommands: 0 };
  const registers = deps.registry ? [deps.registry] : [];
  const commands = new Counter({
    name: 'vocflow_aggregation_redis_commands_total',
    help: 'Redis commands the aggregation sink sent',
    registers,
  });
  const applied = new Counter({
    name: 'vocflow_aggregation_versions_applied_total',
    help: 'Feedback versions applied to the rollups (newer than the recorded version)',
    registers,
  });
  const stale = new Counter({
    name: 'vocflow_aggregation_versions_ignored_total',
    help: 'Feedback versions that changed nothing (duplicate, redelivered or older than the recorded one)',
    registers,
  });

  /** Writes what the batches of one turn brought. */
  const writeAll = async (
    outputs: readonly ProcessedMessage<AggregationOutput>[],
    log: BatchContext['log'],
  ) => {
    const contributions: Contribution[] = [];
    const profiles: (CustomerProfile | string)[] = [];
    const alerts: FeedbackAlert[] = [];
    for (const { value } of outputs) {
      if (value.kind === 'feedback') contributions.push(value.contribution);
      else if (value.kind === 'profile') profiles.push(value.profile);
      else if (value.kind === 'profile_deleted') profiles.push(value.customerId);
      else alerts.push(value.alert);
    }
    let sent = 0;
    try {
      if (contributions.length > 0 && deps.erasedCustomers) {
        const named = [...new Set(contributions.map((c) => c.customerKey))].filter((k) => k !== 'unknown');
        const erased = named.length > 0 ? await deps.erasedCustomers(named) : new Set<string>();
        if (named.length > 0) sent += 1;
        if (erased.size > 0)
          for (const [i, c] of contributions.entries())
            if (erased.has(c.customerKey)) contributions[i] = withoutCustomer(c);
      }
      if (contributions.length > 0) {
        const outcome = await deps.writer.apply(contributions);
        sent += outcome.commands;
        applied.inc(outcome.applied);
        stale.inc(contributions.length - outcome.applied);
        if (outcome.changed.length > 0) deps.onChanged?.(outcome.changed);
        log.debug(
          { items: contributions.length, applied: outcome.applied, commands: outcome.commands },
          'rollups applied',
        );
      }
      for (const p of profiles) {
        await (typeof p === 'string' ? deps.writer.deleteProfile(p) : deps.writer.saveProfile(p));
        sent += 1;
      }
      if (alerts.length > 0) {
        await deps.writer.saveAlerts(alerts);
        sent += 2;
      }
    } catch (error) {
      throw new RetryableError('redis', `Redis did not apply the batch: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      stats.events += outputs.length;
      stats.redisCommands += sent;
      commands.inc(sent);
    }
  };

  /** The batches handed over in this turn, written together on the next. */
  let turn: { outputs: ProcessedMessage<AggregationOutput>[]; done: Promise<void> } | undefined;

  return {
    stats,
    async write(outputs: readonly ProcessedMessage<AggregationOutput>[], context: BatchContext) {
      if (outputs.length === 0) return undefined;
      if (!turn) {
        const current: { outputs: ProcessedMessage<AggregationOutput>[]; done: Promise<void> } = {
          outputs: [],
          done: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
            if (turn === current) turn = undefined;
            return writeAll(current.outputs, context.log);
          }),
        };
        turn = current;
      }
      turn.outputs.push(...outputs);
      await turn.done;
      return undefined;
    },
    revoke() {
      // Another instance may own the partition's shard next: what this one holds of it is stale then.
      deps.writer.release();
    },
  };
}
