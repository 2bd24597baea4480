import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@vocflow/clients';
import { ERASURE_STEPS, type ErasureJob, type ErasureStep, erasureKeys } from '@vocflow/contracts';
import type { Logger } from 'pino';

/** What a step reports: counts only (they go into the audit record). */
export type StepCounts = Readonly<Record<string, number | string[]>>;

/** One step of an erasure job; `progress` saves a resumable position in the job record. */
export type ErasureStepRunner = (
  job: ErasureJob,
  context: { readonly saved: string | undefined; progress(position: string): Promise<void> },
) => Promise<StepCounts>;

export interface ErasureWorkerDeps {
  /** A connection of its own: the worker blocks on it waiting for jobs. */
  readonly redis: RedisClient;
  readonly keyPrefix: string;
  readonly steps: Readonly<Record<ErasureStep, ErasureStepRunner>>;
  readonly logger: Logger;
  /** A job another instance took and has not finished for this long is taken over (a crashed instance). */
  readonly claimIdleMs: number;
  /** How long one wait for a new job lasts (bounds how long close() waits). */
  readonly blockMs: number;
  /** A pause after each step (0 in production; drills widen the window to crash between steps). */
  readonly stepDelayMs?: number;
  /** Audit records kept (the stream is trimmed to about this many). */
  readonly auditKept: number;
  /** A failed job is tried again after this long. */
  readonly retryMs?: number;
}

export interface ErasureWorker {
  start(): Promise<void>;
  /** Idempotent: stops taking jobs and waits for the step in flight, at most `blockMs` plus that step. */
  close(): Promise<void>;
}

const GROUP = 'aggregation';

/** The job record (a Redis hash) as a job. */
export function jobOf(fields: Record<string, string>): ErasureJob | undefined {
  if (!fields['erasureId']) return undefined;
  const list = (raw: string | undefined) => {
    try {
      const parsed = JSON.parse(raw ?? '[]') as unknown;
      return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
    } catch {
      return [];
    }
  };
  return {
    erasureId: fields['erasureId'],
    customerId: fields['customerId'] ?? '',
    emailKeys: list(fields['emailKeys']),
    handleKeys: list(fields['handleKeys']),
    requestedBy: fields['requestedBy'] ?? 'unknown',
    requestedAt: fields['requestedAt'] ?? '',
    parkedRemoved: Number(fields['parkedRemoved'] ?? 0),
  };
}

/** The audit record of a finished job: who, when, what was removed as counts; never an id, address or handle. */
export function auditRecord(
  job: ErasureJob,
  done: Readonly<Record<string, StepCounts>>,
  completedAt: string,
): Record<string, string> {
  return {
    erasureId: job.erasureId,
    requestedBy: job.requestedBy,
    requestedAt: job.requestedAt,
    completedAt,
    customerFound: job.customerId === '' ? 'false' : 'true',
    parkedRemoved: String(job.parkedRemoved),
    removed: JSON.stringify(done),
  };
}

/**
 * Runs erasure jobs (created by enrichment, see enrichment's erasure.service.ts) from the Redis stream
 * `{<prefix>:erasure}:jobs` with a consumer group, so each job runs on one instance. Steps run in
 * order; each one's counts are saved in the job record (`done:<step>`) before the next starts, so a
 * job resumed after a crash skips what is done. A job an instance took and did not finish (it crashed)
 * is taken over by another after `claimIdleMs`. The end is one transaction: the audit record added,
 * the job record deleted, the entry acknowledged.
 */
export function createErasureWorker(deps: ErasureWorkerDeps): ErasureWorker {
  const keys = erasureKeys(deps.keyPrefix);
  const { redis } = deps;
  const consumer = `aggregation-${randomUUID()}`;
  const log = deps.logger.child({ component: 'erasure' });
  let closed = false;
  let loop: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  const retryMs = deps.retryMs ?? 5_000;

  const finish = async (
    entryId: string,
    erasureId: string,
    job: ErasureJob | undefined,
    done: Record<string, StepCounts>,
  ) => {
    const tx = redis.multi();
    if (job)
      tx.xadd(
        keys.audit,
        'MAXLEN',
        '~',
        String(deps.auditKept),
        '*',
        ...Object.entries(auditRecord(job, done, new Date().toISOString())).flat(),
      );
    tx.del(keys.job(erasureId));
    tx.xack(keys.jobs, GROUP, entryId);
    tx.xdel(keys.jobs, entryId);
    await tx.exec();
  };

  const run = async (entryId: string, erasureId: string) => {
    const fields = await redis.hgetall(keys.job(erasureId));
    const job = jobOf(fields);
    if (!job) {
      // Finished before (its record is gone): only the entry is left to acknowledge.
      await finish(entryId, erasureId, undefined, {});
      return;
    }
    const done: Record<string, StepCounts> = {};
    for (const step of ERASURE_STEPS) {
      const saved = fields[`done:${step}`];
      if (saved !== undefined) {
        done[step] = JSON.parse(saved) as StepCounts;
        continue;
      }
      if (closed) return;
      const counts = await deps.steps[step](job, {
        saved: fields[`at:${step}`],
        progress: async (position) => {
          await redis.hset(keys.job(erasureId), `at:${step}`, position);
        },
      });
      await redis.hset(keys.job(erasureId), `done:${step}`, JSON.stringify(counts));
      done[step] = counts;
      log.info({ erasureId, step }, 'erasure step done');
      if (deps.stepDelayMs) await new Promise((resolve) => setTimeout(resolve, deps.stepDelayMs));
    }
    if (closed) return;
    await finish(entryId, erasureId, job, done);
    log.info({ erasureId, requestedBy: job.requestedBy }, 'customer erased');
  };

  const handle = async (entries: [string, string[]][]) => {
    for (const [entryId, flat] of entries) {
      if (closed) return;
      const at = flat.indexOf('erasureId');
      const erasureId = at >= 0 ? flat[at + 1] : undefined;
      if (!erasureId) {
        await redis.multi().xack(keys.jobs, GROUP, entryId).xdel(keys.jobs, entryId).exec();
        continue;
      }
      try {
        await run(entryId, erasureId);
      } catch (error) {
        // Left pending: this instance takes it again (claimIdleMs), or another does if this one dies.
        log.warn({ err: error, erasureId }, 'erasure step failed; retried');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
  };

  const cycle = async () => {
    const claimed = (await redis.xautoclaim(
      keys.jobs,
      GROUP,
      consumer,
      deps.claimIdleMs,
      '0-0',
      'COUNT',
      10,
    )) as [string, [string, string[]][]];
    await handle(claimed[1] ?? []);
    if (closed) return;
    const read = (await redis.xreadgroup(
      'GROUP',
      GROUP,
      consumer,
      'COUNT',
      10,
      'BLOCK',
      deps.blockMs,
      'STREAMS',
      keys.jobs,
      '>',
    )) as [string, [string, string[]][]][] | null;
    for (const [, entries] of read ?? []) await handle(entries);
  };

  return {
    async start() {
      try {
        await redis.xgroup('CREATE', keys.jobs, GROUP, '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
      loop = (async () => {
        while (!closed) {
          try {
            await cycle();
          } catch (error) {
            if (closed) break;
            log.warn({ err: error }, 'erasure jobs unavailable; retrying');
            await new Promise((resolve) => setTimeout(resolve, retryMs));
          }
        }
      })();
    },
    close() {
      closing ??= (async () => {
        closed = true;
        await loop;
      })();
      return closing;
    },
  };
}
