import type { Logger } from 'pino';
import { createLogger } from './logger.ts';

export interface Shutdown {
  /** Adds a step; steps run in the order they were added. */
  add(name: string, step: () => Promise<void> | void): void;
  /** Runs every step once, within the deadline; later calls return the same promise. */
  run(reason: string): Promise<void>;
}

/** A shutdown registry: stop intake, finish the batch in flight, flush, close clients — in order. */
export function createShutdown(logger: Logger, deadlineMs = 25_000): Shutdown {
  const steps: { name: string; step: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;
  return {
    add(name, step) {
      steps.push({ name, step });
    },
    run(reason) {
      running ??= (async () => {
        logger.info({ reason }, 'shutting down');
        const timer = setTimeout(() => {
          logger.error({ deadlineMs }, 'shutdown deadline passed; exiting');
          process.exit(1);
        }, deadlineMs);
        timer.unref();
        for (const { name, step } of steps) {
          try {
            await step();
          } catch (error) {
            logger.error({ err: error, step: name }, 'shutdown step failed');
          }
        }
        clearTimeout(timer);
        logger.info('shut down');
        logger.flush?.();
      })();
      return running;
    },
  };
}

/** SIGTERM and SIGINT handled once; a second signal while shutting down exits at once. */
export function handleSignals(shutdown: Shutdown, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(130);
    }
    signalled = true;
    void shutdown.run(signal).then(() => process.exit(process.exitCode ?? 0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/**
 * The entry point of a service run as its own process: one root logger, `start(env)`, signals handled
 * once. A service that cannot start logs why and exits non-zero.
 */
export async function runService(
  service: string,
  start: (env: NodeJS.ProcessEnv, overrides: { logger: Logger }) => Promise<{ close(): Promise<void> }>,
  options: { version?: string } = {},
): Promise<void> {
  const logger = createLogger({
    service,
    ...(options.version === undefined ? {} : { version: options.version }),
    level: process.env['LOG_LEVEL'] ?? 'info',
  });
  try {
    const handle = await start(process.env, { logger });
    const shutdown = createShutdown(logger);
    shutdown.add(service, () => handle.close());
    handleSignals(shutdown, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${service} failed to start`);
    process.exit(1);
  }
}
