import { PairHistogram } from '@vocflow/observability';
import {
  dlq,
  type MessageClock,
  observingSteps,
  ownTimeMs,
  PoisonError,
  RetryableError,
  type StepResult,
  startClock,
  withClock,
} from '@vocflow/steps';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { toDlqMessage } from './dlq.ts';
import type {
  BatchConsumer,
  BatchConsumerOptions,
  InboundMessage,
  OutboundMessage,
  ProcessedMessage,
} from './types.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function toInbound(topic: string, partition: number, m: KafkaMessage): InboundMessage {
  const headers: Record<string, string> = {};
  if (m.headers) {
    for (const [k, v] of Object.entries(m.headers)) {
      if (v === undefined) continue;
      headers[k] = Array.isArray(v) ? String(v[0]) : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    }
  }
  return { topic, partition, offset: m.offset, key: m.key, value: m.value, headers, timestamp: m.timestamp };
}

function isRebalanceError(error: unknown): boolean {
  const type = (error as { type?: string } | null)?.type;
  return (
    type === 'REBALANCE_IN_PROGRESS' ||
    type === 'NOT_COORDINATOR_FOR_GROUP' ||
    type === 'ILLEGAL_GENERATION' ||
    type === 'UNKNOWN_MEMBER_ID' ||
    (error as Error | null)?.name === 'KafkaJSNotImplemented'
  );
}

type ConsumerMetrics = ReturnType<typeof createConsumerMetrics>;
const metricsByRegistry = new WeakMap<Registry, ConsumerMetrics>();

/** One set of metrics per registry, shared by every consumer of the process (labelled by topic). */
function consumerMetrics(registry: Registry | undefined): ConsumerMetrics | undefined {
  if (!registry) return undefined;
  let metrics = metricsByRegistry.get(registry);
  if (!metrics) {
    metrics = createConsumerMetrics(registry);
    metricsByRegistry.set(registry, metrics);
  }
  return metrics;
}

function createConsumerMetrics(registry: Registry) {
  const registers = [registry];
  // Observed per message and step: no label object, string or hash per observation (see PairHistogram).
  const steps = new PairHistogram({
    name: 'vocflow_step_duration_seconds',
    help: 'Latency of each pipeline step',
    labelNames: ['step', 'outcome'],
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1],
    registers,
  });
  return {
    /** Given to the steps this registry's consumers run (never a process-wide hook). */
    observeStep: (step: string, seconds: number, outcome: string) => steps.observe(step, outcome, seconds),
    messages: new Counter({
      name: 'vocflow_messages_total',
      help: 'Consumed messages by outcome (ok, dlq, drop)',
      labelNames: ['topic', 'outcome'],
      registers,
    }),
    lag: new Gauge({
      name: 'vocflow_consumer_lag_messages',
      help: 'Messages between the last processed offset and the partition high watermark',
      labelNames: ['topic', 'partition'],
      registers,
    }),
    batch: new Histogram({
      name: 'vocflow_batch_duration_seconds',
      help: 'Time to process, write and commit one partition batch',
      labelNames: ['topic'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    retries: new Counter({
      name: 'vocflow_dependency_retries_total',
      help: 'Batches paused because a dependency failed',
      labelNames: ['dependency'],
      registers,
    }),
    paused: new Gauge({
      name: 'vocflow_partitions_paused',
      help: 'Partitions paused while a dependency recovers',
      registers,
    }),
  };
}

interface PartitionState {
  chain: Promise<void>;
  failures: number;
  /** Highest offset processed (resolved) but not yet committed because the sink buffers it. */
  pendingDurable: boolean;
  committed: bigint;
  /** The partition's logger (made once, not per batch). */
  readonly log: Logger;
}

/**
 * A batch consumer that runs a pipeline per message and hands the batch's outputs to a sink.
 *
 * Offsets are committed only after the DLQ records and every sink write of the batch were
 * acknowledged. A RetryableError pauses the partition with jittered backoff and re-reads the same
 * messages; a PoisonError or a DLQ result sends the message to the DLQ and moves on; any other error
 * is retried `maxAttempts` times, then DLQ'd as `retries_exhausted`. An output the sink can never write
 * (`SinkAck.rejected`: a record over its topic's limit) sends its input to the DLQ with that reason.
 *
 * No message blocks its partition for good:
 * - Each message has a budget (`messageBudgetMs`, all attempts together). Asynchronous work is
 *   watched against it (one timer for every message in flight, looking every tenth of the budget);
 *   work that finishes late (a synchronous, CPU-bound step cannot be interrupted) is
 *   judged by its duration. Either way the message goes to the DLQ as `processing_timeout`. While a
 *   message runs, and between messages, the runner heartbeats, so a long batch keeps its partitions.
 * - A message that kills or freezes the worker (crash, eviction, SIGKILL) leaves no result behind, so
 *   the `journal` (Redis) records what was started: each batch records its first offset; a batch that
 *   was started before and did not finish is run again watching each message (its start recorded
 *   before it runs, removed when it finishes). A message recorded `maxStarts` times, or one that
 *   overran its budget, goes straight to the DLQ as `processing_timeout` on its next delivery,
 *   without running. Normal batches cost one journal write each; watched ones two per message.
 * - close() abandons the message in flight (it is redelivered to the next owner), commits what was
 *   done and resolves within `closeTimeoutMs` whatever happens.
 *
 * Long as a whole, in named parts: the factory holds the partitions' state that processOne,
 * processWatched, eachBatch, flushPending and close() share.
 */
export function createBatchConsumer<O>(options: BatchConsumerOptions<O>): BatchConsumer {
  const log = options.logger.child({ component: 'consumer', groupId: options.groupId });
  const maxAttempts = options.maxAttempts ?? 3;
  const initialMs = options.retry?.initialMs ?? 200;
  const maxMs = options.retry?.maxMs ?? 10_000;
  const budgetMs = options.messageBudgetMs ?? 10_000;
  const maxStarts = options.maxStarts ?? 2;
  const closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
  const heartbeatEveryMs = options.heartbeatIntervalMs ?? 3_000;
  const journal = options.journal;
  const fetchMaxWaitMs = options.fetchMaxWaitMs ?? 1_000;
  const lingerMs = options.lingerMs ?? 20;
  const lingerBelowRecords = options.lingerBelowRecords ?? 1_000;
  /** How often the watch looks at the messages in flight (budget) and heartbeats. */
  const watchEveryMs = Math.max(10, Math.min(1_000, Math.floor(budgetMs / 10)));
  /** Fires on close(): the message in flight is abandoned, not awaited. */
  const abandon = new AbortController();
  const metrics = consumerMetrics(options.registry);
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    sessionTimeout: options.sessionTimeoutMs ?? 30_000,
    heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    // Long polls when idle (the broker answers as soon as a record arrives): an idle consumer costs
    // one fetch per `fetchMaxWaitMs`, not a poll loop.
    maxWaitTimeInMs: fetchMaxWaitMs,
    minBytes: 1,
    allowAutoTopicCreation: false,
    retry: { initialRetryTime: 300, retries: 10, maxRetryTime: 10_000 },
  });
  const partitions = new Map<string, PartitionState>();
  let assigned = new Set<string>();
  let ready = false;
  let closing: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  let stopping = false;
  let flushTimer: NodeJS.Timeout | undefined;
  const resumeTimers = new Set<NodeJS.Timeout>();

  const stateOf = (topic: string, partition: number): PartitionState => {
    const key = `${topic}\u0000${partition}`;
    let state = partitions.get(key);
    if (!state) {
      state = {
        chain: Promise.resolve(),
        failures: 0,
        pendingDurable: false,
        committed: -1n,
        log: log.child({ topic, partition }),
      };
      partitions.set(key, state);
    }
    return state;
  };

  /**
   * The batches of one fetch: kafkajs hands them to eachBatch in the same event-loop turn (one worker
   * per partition, `partitionsConsumedConcurrently`), so they are processed side by side and their
   * produce requests, Redis calls and commits leave together. `linger` is when the next fetch may go.
   */
  interface Round {
    readonly started: number;
    records: number;
    lingering: Promise<void> | undefined;
    linger(): Promise<void>;
  }
  let round: Round | undefined;
  const joinRound = (records: number): Round => {
    if (!round) {
      const current: Round = {
        started: performance.now(),
        records: 0,
        lingering: undefined,
        linger() {
          current.lingering ??= new Promise<void>((resolve) => {
            const left = current.started + lingerMs - performance.now();
            if (left <= 1) resolve();
            else setTimeout(resolve, left);
          });
          return current.lingering;
        },
      };
      round = current;
      setImmediate(() => {
        if (round === current) round = undefined;
      });
    }
    round.records += records;
    return round;
  };

  /** Runs work for one partition strictly after the previous work for it. */
  const serialize = (state: PartitionState, work: () => Promise<void>): Promise<void> => {
    const next = state.chain.then(work, work);
    state.chain = next.catch(() => undefined);
    return next;
  };

  // ---- Offset commits: after the outputs were acknowledged, one request for all partitions of a fetch ----

  interface QueuedCommit {
    readonly topic: string;
    readonly partition: number;
    readonly offset: bigint;
    readonly state: PartitionState;
  }
  /** Offsets to commit, by partition: every partition's batches of one fetch leave in one request. */
  const commitQueue = new Map<string, QueuedCommit>();
  /**
   * The commit of the newest batch payload: kafkajs' consumer-level commit silently does nothing once
   * `stop()` began, and shutdown must still commit the batches in flight.
   */
  let payloadCommit: EachBatchPayload['commitOffsetsIfNecessary'] | undefined;
  /** The commit request the batches of this event-loop turn wait for. */
  let nextCommit: Promise<void> | undefined;
  let committing: Promise<void> | undefined;

  /**
   * Commits `durableThrough + 1` (a batch calls this only once its outputs were acknowledged). The
   * commits asked for in one event-loop turn leave as one request, which each of those batches awaits:
   * a failed commit fails every one of them, as a commit of its own would have (the partition pauses
   * and reads the same records again, which the outputs' keys and the rollups' versions make harmless).
   */
  const requestCommit = (
    topic: string,
    partition: number,
    state: PartitionState,
    durableThrough: string,
    via?: EachBatchPayload['commitOffsetsIfNecessary'],
  ): Promise<void> => {
    if (via) payloadCommit = via;
    const offset = BigInt(durableThrough) + 1n;
    if (offset <= state.committed) return Promise.resolve();
    const key = `${topic}\u0000${partition}`;
    const queued = commitQueue.get(key);
    if (!queued || queued.offset < offset) commitQueue.set(key, { topic, partition, offset, state });
    nextCommit ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      nextCommit = undefined;
      return flushCommits();
    });
    return nextCommit;
  };

  /** Sends what is queued, one request at a time (so a partition's offsets reach the broker in order). */
  const flushCommits = async (): Promise<void> => {
    while (committing) await committing.catch(() => undefined);
    if (commitQueue.size === 0) return;
    const entries = [...commitQueue.values()];
    commitQueue.clear();
    committing = (async () => {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const e of entries) {
        let list = byTopic.get(e.topic);
        if (!list) {
          list = [];
          byTopic.set(e.topic, list);
        }
        list.push({ partition: e.partition, offset: e.offset.toString() });
      }
      if (payloadCommit)
        await payloadCommit({ topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      else await consumer.commitOffsets(entries.map((e) => ({ ...e, offset: e.offset.toString() })));
      for (const e of entries) if (e.offset > e.state.committed) e.state.committed = e.offset;
    })().finally(() => {
      committing = undefined;
    });
    await committing;
  };

  // ---- The watch: one timer for all messages in flight, while any runs (none when idle) ----

  interface InFlight {
    readonly clock: MessageClock;
    settle(outcome: 'timeout' | 'aborted'): void;
  }
  const inFlight = new Set<InFlight>();
  let activeBatches = 0;
  let watchTimer: NodeJS.Timeout | undefined;
  let beat: (() => Promise<void>) | undefined;
  let lastWatchBeat = Date.now();
  const watchTick = () => {
    const now = Date.now();
    if (beat && now - lastWatchBeat >= heartbeatEveryMs) {
      lastWatchBeat = now;
      void beat().catch(() => undefined);
    }
    for (const m of inFlight) if (ownTimeMs(m.clock) >= budgetMs) m.settle('timeout');
  };
  const batchStarted = (heartbeat: () => Promise<void>) => {
    beat = heartbeat;
    activeBatches++;
    watchTimer ??= setInterval(watchTick, watchEveryMs);
  };
  const batchEnded = () => {
    activeBatches--;
    if (activeBatches === 0 && watchTimer) {
      clearInterval(watchTimer);
      watchTimer = undefined;
    }
  };
  abandon.signal.addEventListener('abort', () => {
    for (const m of inFlight) m.settle('aborted');
  });

  /** Resolves with the work's value, or 'timeout' / 'aborted' when the watch settles it first. */
  const watched = <T>(work: Promise<T>, clock: MessageClock) =>
    new Promise<{ value: T } | 'timeout' | 'aborted'>((resolve, reject) => {
      if (abandon.signal.aborted) {
        resolve('aborted');
        return;
      }
      const entry: InFlight = {
        clock,
        settle: (outcome) => {
          inFlight.delete(entry);
          resolve(outcome);
        },
      };
      inFlight.add(entry);
      work.then(
        (value) => {
          inFlight.delete(entry);
          resolve({ value });
        },
        (error: unknown) => {
          inFlight.delete(entry);
          reject(error);
        },
      );
    });

  /**
   * Runs the pipeline for one message within the budget (the watch heartbeats meanwhile). Resolves with
   * its result, or 'abandoned' when close() began (the message is left for the next owner).
   */
  const processOne = async (
    message: InboundMessage,
  ): Promise<{ result: StepResult<O>; attempts: number } | 'abandoned'> => {
    const clock = startClock();
    const timedOut = (attempts: number) => {
      log.warn(
        { offset: message.offset, partition: message.partition, topic: message.topic, budgetMs },
        'message over its processing budget; to DLQ',
      );
      return {
        result: dlq('process', 'processing_timeout', `processing took longer than ${budgetMs} ms`),
        attempts,
      };
    };
    for (let attempt = 1; ; attempt++) {
      if (ownTimeMs(clock) >= budgetMs) return timedOut(attempt - 1);
      try {
        const work = withClock(clock, () =>
          observingSteps(metrics?.observeStep, () => options.process(message)),
        );
        const outcome = await watched(work, clock);
        if (outcome === 'aborted') return 'abandoned';
        // A synchronous step cannot be interrupted: judge it by how long it took.
        if (outcome === 'timeout' || ownTimeMs(clock) > budgetMs) return timedOut(attempt);
        return { result: outcome.value, attempts: attempt };
      } catch (error) {
        if (error instanceof RetryableError) throw error;
        if (error instanceof PoisonError) {
          const issues = error.issues?.map((i) => ({ ...i }));
          return { result: dlq('process', error.reason, error.message, issues), attempts: attempt };
        }
        if (attempt >= maxAttempts) {
          log.error(
            { err: error, offset: message.offset, partition: message.partition },
            'giving up on message',
          );
          return {
            result: dlq('process', 'retries_exhausted', (error as Error)?.stack ?? String(error)),
            attempts: attempt,
          };
        }
        log.warn({ err: error, offset: message.offset, attempt }, 'unexpected error; retrying message');
        await sleep(Math.min(maxMs, initialMs * 2 ** (attempt - 1)) * Math.random());
      }
    }
  };

  /**
   * processOne under the journal's watch: the start is recorded before the message runs and removed
   * once it finished, so a crash leaves it recorded; a message recorded too often does not run again.
   */
  const processWatched = async (
    scope: string,
    message: InboundMessage,
  ): Promise<{ result: StepResult<O>; attempts: number } | 'abandoned'> => {
    const starts = await journal!.beginMessage(scope, message.offset);
    if (starts > maxStarts) {
      log.warn(
        { offset: message.offset, partition: message.partition, topic: message.topic, starts: starts - 1 },
        'message started before without finishing; to DLQ',
      );
      return {
        result: dlq(
          'process',
          'processing_timeout',
          `started ${starts - 1} times without finishing (worker crashed, froze or overran ${budgetMs} ms)`,
        ),
        attempts: starts - 1,
      };
    }
    let finished = false;
    try {
      const outcome = await processOne(message);
      finished =
        outcome === 'abandoned' ||
        outcome.result.kind !== 'dlq' ||
        outcome.result.reason !== 'processing_timeout';
      return outcome;
    } catch (error) {
      finished = true;
      throw error;
    } finally {
      if (finished) await journal!.endMessage(scope, message.offset);
    }
  };

  const backoff = (state: PartitionState, error: unknown): number => {
    state.failures += 1;
    const hinted = error instanceof RetryableError ? error.retryAfterMs : undefined;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(state.failures - 1, 20));
    return hinted ?? Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  };

  // Long on purpose: one partition batch's whole commit contract (journal, process each message, DLQ,
  // sink write, refused outputs, commit, resume or pause) reads top to bottom in the order it must happen.
  const eachBatch = async (payload: EachBatchPayload): Promise<void> => {
    const { batch, heartbeat, isRunning, isStale, pause, resolveOffset, commitOffsetsIfNecessary } = payload;
    const { topic, partition } = batch;
    const state = stateOf(topic, partition);
    const batchLog = state.log;
    const round = joinRound(batch.messages.length);
    await serialize(state, async () => {
      const started = performance.now();
      batchStarted(heartbeat);
      const outputs: ProcessedMessage<O>[] = [];
      const dead: OutboundMessage[] = [];
      let lastProcessed: string | null = null;
      let lastBeat = Date.now();
      const counts = { ok: 0, dlq: 0, drop: 0 };
      const scope = `${options.groupId}/${topic}/${partition}`;
      const firstOffset = batch.messages[0]?.offset;
      let journalled = false;
      try {
        if (firstOffset === undefined || stopping) return;
        const watch = journal ? await journal.beginBatch(scope, firstOffset) : false;
        journalled = journal !== undefined;
        if (watch)
          batchLog.info({ firstOffset }, 'batch started before without finishing; watching each message');
        for (const raw of batch.messages) {
          if (stopping || !isRunning() || isStale()) break;
          const message = toInbound(topic, partition, raw);
          const outcome = watch ? await processWatched(scope, message) : await processOne(message);
          if (outcome === 'abandoned') break;
          const { result, attempts } = outcome;
          if (result.kind === 'dlq' && result.reason === 'processing_timeout' && journal)
            await journal.giveUp(scope, message.offset);
          if (result.kind === 'ok') {
            outputs.push({ message, value: result.value });
          } else if (result.kind === 'dlq') {
            batchLog.info(
              { offset: message.offset, reason: result.reason, step: result.step },
              'message to DLQ',
            );
            dead.push(
              toDlqMessage(message, result, {
                stage: result.stage ?? options.stage,
                service: options.service,
                attempts,
              }),
            );
          } else {
            batchLog.debug({ offset: message.offset, reason: result.reason }, 'message dropped');
          }
          counts[result.kind] += 1;
          lastProcessed = message.offset;
          if (Date.now() - lastBeat > 1_000) {
            await heartbeat();
            lastBeat = Date.now();
          }
        }
        if (lastProcessed === null) {
          if (journalled) await journal!.endBatch(scope, firstOffset);
          return;
        }
        if (dead.length > 0) await options.producer.send(options.dlqTopic, dead);
        const ack = options.sink
          ? await options.sink.write(outputs, { topic, partition, heartbeat, log: batchLog })
          : undefined;
        if (ack?.rejected && ack.rejected.length > 0) {
          const refused = new Map(ack.rejected.map((r) => [r.offset, r]));
          const inputs = outputs.filter((o) => refused.has(o.message.offset));
          batchLog.warn({ offsets: [...refused.keys()] }, 'outputs refused for good; inputs to DLQ');
          await options.producer.send(
            options.dlqTopic,
            inputs.map(({ message }) => {
              const r = refused.get(message.offset)!;
              return toDlqMessage(message, dlq('sink', r.reason, r.detail), {
                stage: options.stage,
                service: options.service,
                attempts: 1,
              });
            }),
          );
          counts.ok -= inputs.length;
          counts.dlq += inputs.length;
        }
        const durable = ack?.durableThrough === undefined ? lastProcessed : ack.durableThrough;
        if (durable !== null) await requestCommit(topic, partition, state, durable, commitOffsetsIfNecessary);
        state.pendingDurable = durable !== lastProcessed;
        resolveOffset(lastProcessed);
        if (state.failures > 0)
          batchLog.info({ failures: state.failures }, 'dependency recovered; partition resumed');
        state.failures = 0;
        if (metrics) {
          for (const [outcome, n] of Object.entries(counts))
            if (n > 0) metrics.messages.inc({ topic, outcome }, n);
          metrics.lag.set(
            { topic, partition: String(partition) },
            Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(lastProcessed) - 1n)),
          );
          metrics.batch.observe({ topic }, (performance.now() - started) / 1000);
        }
      } catch (error) {
        // Handled, not a crash: this start of the batch must not count against its messages.
        if (journalled)
          await journal!
            .endBatch(scope, firstOffset!)
            .catch((e: unknown) =>
              batchLog.debug({ err: e }, 'journal not updated; the batch is watched next time'),
            );
        if (isRebalanceError(error)) throw error;
        const delay = backoff(state, error);
        const dependency = error instanceof RetryableError ? error.dependency : 'unknown';
        metrics?.retries.inc({ dependency });
        const level = error instanceof RetryableError ? 'warn' : 'error';
        batchLog[level](
          { err: error, dependency, delayMs: delay, failures: state.failures },
          'batch failed; pausing partition',
        );
        const resume = pause();
        metrics?.paused.inc();
        const timer = setTimeout(() => {
          resumeTimers.delete(timer);
          metrics?.paused.dec();
          resume();
        }, delay);
        resumeTimers.add(timer);
      } finally {
        batchEnded();
      }
    });
    // The next fetch waits a little when this one brought little: batches hold what arrived meanwhile,
    // and every fixed cost of a fetch (its requests, the produce, the commit) is paid by more records.
    if (round.records < lingerBelowRecords && lingerMs > 0 && !stopping) await round.linger();
  };

  /**
   * Asks the buffering sink to flush each assigned partition that holds processed but uncommitted
   * messages, then commits what became durable. A failed flush is logged; the partition stays pending.
   */
  const flushPending = async (failure: string) => {
    const sink = options.sink;
    if (!sink?.flush) return;
    for (const [key, state] of partitions) {
      if (!state.pendingDurable || !assigned.has(key)) continue;
      const [topic, p] = key.split('\u0000') as [string, string];
      const partition = Number(p);
      await serialize(state, async () => {
        try {
          const ack = await sink.flush!(topic, partition);
          if (ack?.durableThrough) {
            await requestCommit(topic, partition, state, ack.durableThrough);
            state.pendingDurable = false;
          }
        } catch (error) {
          log.warn({ err: error, topic, partition }, failure);
        }
      }).catch(() => undefined);
    }
  };

  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    ready = true;
    const next = new Set<string>();
    for (const [topic, parts] of Object.entries(event.payload.memberAssignment)) {
      for (const p of parts) next.add(`${topic}\u0000${p}`);
    }
    for (const key of assigned) {
      if (next.has(key)) continue;
      const [topic, p] = key.split('\u0000') as [string, string];
      options.sink?.revoke?.(topic, Number(p));
      partitions.delete(key);
      commitQueue.delete(key);
    }
    assigned = next;
    log.info({ partitions: next.size }, 'joined group');
  });
  consumer.on(consumer.events.CRASH, (event) => {
    ready = false;
    log.error({ err: event.payload.error, restart: event.payload.restart }, 'consumer crashed');
    if (!event.payload.restart) options.onCrash?.(event.payload.error);
  });
  consumer.on(consumer.events.STOP, () => {
    ready = false;
  });

  return {
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 32,
        eachBatch,
      });
      if (options.sink?.flush) {
        flushTimer = setInterval(
          () => void flushPending('flush failed; will retry'),
          options.flushIntervalMs ?? 1_000,
        );
        flushTimer.unref();
      }
    },
    close() {
      closing ??= (async () => {
        stopping = true;
        abandon.abort();
        if (flushTimer) clearInterval(flushTimer);
        for (const timer of resumeTimers) clearTimeout(timer);
        // Still a group member here: no new batches start, the batch in flight stops after its
        // current message and commits what it processed, buffering sinks flush and commit.
        if (ready) consumer.pause(options.topics.map((topic) => ({ topic })));
        for (const state of partitions.values()) await state.chain;
        if (ready) await flushPending('final flush failed; the next owner redoes it');
        await flushCommits().catch((error: unknown) =>
          log.warn({ err: error }, 'final commit failed; the next owner reads those records again'),
        );
        await consumer.stop();
        await consumer.disconnect();
        ready = false;
      })();
      if (!closed) {
        let deadline: NodeJS.Timeout | undefined;
        const overdue = new Promise<void>((resolve) => {
          deadline = setTimeout(() => {
            log.error({ closeTimeoutMs }, 'batch in flight did not finish in time; closing without it');
            ready = false;
            resolve();
          }, closeTimeoutMs);
          deadline.unref();
        });
        closed = Promise.race([closing.finally(() => clearTimeout(deadline)), overdue]);
      }
      return closed;
    },
    isReady: () => ready,
  };
}
