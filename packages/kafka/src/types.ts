import type { DlqStage } from '@vocflow/contracts';
import type { StepResult } from '@vocflow/steps';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** A consumed record as steps see it. */
export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

/** A record to produce. */
export interface OutboundMessage {
  readonly key: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
  /** Force a partition (rarely needed; the key decides otherwise). */
  readonly partition?: number;
  /** Record timestamp in epoch milliseconds, as a string. */
  readonly timestamp?: string;
}

export interface ProcessedMessage<O> {
  readonly message: InboundMessage;
  readonly value: O;
}

export interface BatchContext {
  readonly topic: string;
  readonly partition: number;
  /** Call during long writes so the group does not consider the consumer dead. */
  heartbeat(): Promise<void>;
  readonly log: Logger;
}

/**
 * What a sink tells the runner after its writes were acknowledged. A sink that buffers across batches
 * (an S3 archive flushed by size or time) says how far its outputs are durable; the runner commits only
 * up to there. Returning nothing means everything in the batch is durable.
 */
export interface SinkAck {
  /** Offset (inclusive) through which every output is durable, or null when nothing new is. */
  readonly durableThrough?: string | null;
  /**
   * Inputs whose outputs can never be written (a produced record over its topic's limit, refused by
   * the broker for good): the runner sends these inputs to the DLQ with the reason and commits past them.
   * Every other output of the batch must have been written.
   */
  readonly rejected?: readonly SinkRejection[];
}

export interface SinkRejection {
  /** Offset of the input message whose output was refused. */
  readonly offset: string;
  /** `record_too_large`, `invalid_record`, `not_authorized`, `unknown_topic`, … */
  readonly reason: string;
  readonly detail: string;
}

/**
 * A durable record of which messages a partition's consumer started and did not finish, so a message
 * that kills or freezes its worker (a crash, an eviction, SIGKILL) is recognised on redelivery and
 * sent to the DLQ instead of stalling the partition for good. `scope` names the group and partition.
 */
export interface AttemptJournal {
  /**
   * A batch starting at `firstOffset` begins. Forgets what is recorded below it (processed) and returns
   * true when something in the scope was started before without finishing: the batch is then run
   * watching each message.
   */
  beginBatch(scope: string, firstOffset: string): Promise<boolean>;
  /** The batch ended without a crash (also on a handled failure): its start no longer counts. */
  endBatch(scope: string, firstOffset: string): Promise<void>;
  /** Records a watched start of one message; returns how many starts were recorded, this one included. */
  beginMessage(scope: string, offset: string): Promise<number>;
  /** The watched message finished (or was handed back): forget its starts. */
  endMessage(scope: string, offset: string): Promise<void>;
  /** The message overran its budget: any later delivery goes straight to the DLQ. */
  giveUp(scope: string, offset: string): Promise<void>;
}

export interface Sink<O> {
  /** Performs the writes for one partition's batch and resolves once every write was acknowledged. */
  write(outputs: readonly ProcessedMessage<O>[], context: BatchContext): Promise<SinkAck | undefined>;
  /**
   * Called before the runner commits on shutdown or revocation; a buffering sink flushes here and
   * returns how far it is durable per partition. Optional.
   */
  flush?(topic: string, partition: number): Promise<SinkAck | undefined>;
  /** The partition was taken away (rebalance): drop what is buffered for it; its new owner redoes it. */
  revoke?(topic: string, partition: number): void;
}

export interface VocflowProducer {
  /** Sends records and resolves once all in-sync replicas acknowledged them. */
  send(topic: string, messages: readonly OutboundMessage[]): Promise<void>;
  /** Sends to several topics in one request; same guarantee. */
  sendBatch(batches: readonly { topic: string; messages: readonly OutboundMessage[] }[]): Promise<void>;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** True while the producer has a live connection to the cluster. */
  isConnected(): boolean;
}

export interface BatchConsumerOptions<O> {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /** Service name recorded in DLQ records and metrics. */
  readonly service: string;
  readonly stage: DlqStage;
  readonly dlqTopic: string;
  /** Used for the DLQ; the service's own outputs go through its sink. */
  readonly producer: VocflowProducer;
  readonly logger: Logger;
  readonly registry?: Registry;
  /** The pipeline for one message. Throws RetryableError when a dependency fails. */
  readonly process: (message: InboundMessage) => Promise<StepResult<O>>;
  readonly sink?: Sink<O>;
  /** Attempts for a message whose processing throws an unexpected error before it is DLQ'd. Default 3. */
  readonly maxAttempts?: number;
  /** Backoff for retryable failures: starts at `initialMs`, doubles up to `maxMs`, with full jitter. */
  readonly retry?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly fromBeginning?: boolean;
  /**
   * Partitions of one fetch processed side by side (kafkajs workers). Default 32: every partition of a
   * fetch at once, so their writes and commits leave together.
   */
  readonly partitionsConsumedConcurrently?: number;
  /**
   * Longest the broker holds a fetch while no record arrives (its `fetch.max.wait.ms`). Default 1 s:
   * an idle consumer sends one fetch a second; a record that arrives is answered at once.
   */
  readonly fetchMaxWaitMs?: number;
  /**
   * After a fetch that brought fewer than `lingerBelowRecords` records, the next fetch waits until
   * `lingerMs` after this one began (default 20 ms, 1,000 records), so that under steady load a batch
   * holds what arrived meanwhile instead of a record or two. 0 turns it off.
   */
  readonly lingerMs?: number;
  readonly lingerBelowRecords?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly maxBytesPerPartition?: number;
  /** How often a buffering sink is asked to flush partitions that received nothing new. Default 1 s. */
  readonly flushIntervalMs?: number;
  /** Called when the consumer crashed and kafkajs will not restart it. */
  readonly onCrash?: (error: Error) => void;
  /**
   * Time one message may take (all its attempts): past it the message goes to the DLQ as
   * `processing_timeout` and the partition moves on. Default 10 s (`MESSAGE_BUDGET_MS`).
   */
  readonly messageBudgetMs?: number;
  /**
   * Remembers started messages durably (Redis): a message that crashed or froze its worker is sent to
   * the DLQ as `processing_timeout` once it was started `maxStarts` times under watch. Without one,
   * only the in-process budget applies.
   */
  readonly journal?: AttemptJournal;
  /** Watched starts without finishing after which a message is DLQ'd. Default 2 (`MESSAGE_MAX_STARTS`). */
  readonly maxStarts?: number;
  /** close() resolves within this time even when the batch in flight does not finish. Default 30 s. */
  readonly closeTimeoutMs?: number;
}

/** The no-stall limits a service passes through to its consumers (configuration + journal). */
export type RunnerLimits = Pick<
  BatchConsumerOptions<unknown>,
  'messageBudgetMs' | 'maxStarts' | 'journal' | 'fetchMaxWaitMs' | 'lingerMs'
>;

export interface BatchConsumer {
  start(): Promise<void>;
  /** Idempotent: stops fetching, finishes and commits the batch in flight, disconnects. */
  close(): Promise<void>;
  /** True once the consumer joined its group and until it closes or crashes. */
  isReady(): boolean;
}
