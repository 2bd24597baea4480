import type { Logger } from 'pino';
import { createLogger, isLogLevel, packageVersion } from './logger.ts';

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
export function handleSignals(shutdown: Pick<Shutdown, 'run'>, logger: Logger): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal; exiting now');
      process.exit(130);
    }
    signalled = true;
    logger.info({ signal }, 'signal received');
    void shutdown.run(signal).then(() => process.exit(process.exitCode ?? 0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** A configuration error lists its problems (see @vocflow/config's ConfigError); no stack trace needed. */
function configProblems(error: unknown): readonly unknown[] | undefined {
  if (error instanceof Error && error.name === 'ConfigError' && 'problems' in error)
    return error.problems as readonly unknown[];
  return undefined;
}

/**
 * The entry point of a service run as its own process: one root logger (with the package's version),
 * `start(env)`, signals handled once. A service that cannot start logs why and exits 1; an invalid
 * configuration is logged as the list of its problems, an unknown LOG_LEVEL among them (the logger
 * itself starts at `info` until the configuration is valid).
 */
export async function runService(
  service: string,
  start: (env: NodeJS.ProcessEnv, overrides: { logger: Logger }) => Promise<{ close(): Promise<void> }>,
  options: { version?: string } = {},
): Promise<void> {
  const requested = process.env['LOG_LEVEL']?.trim().toLowerCase() ?? '';
  const logger = createLogger({
    service,
    version: options.version ?? packageVersion(process.argv[1] ?? process.cwd()),
    level: isLogLevel(requested) ? requested : 'info',
  });
  try {
    const handle = await start(process.env, { logger });
    // The service's own shutdown registry logs "shutting down" and "shut down"; this only routes signals.
    handleSignals({ run: () => handle.close() }, logger);
  } catch (error) {
    const problems = configProblems(error);
    if (problems) logger.fatal({ problems }, (error as Error).message);
    else logger.fatal({ err: error }, `${service} failed to start`);
    process.exit(1);
  }
}
