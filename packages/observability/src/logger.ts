import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  readonly service: string;
  readonly version?: string;
  readonly level?: string;
  /** Where to write; stdout by default. Tests pass a stream. */
  readonly destination?: NodeJS.WritableStream;
}

/** One root logger per process, carrying `service` and `version` on every line. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service, version: settings.version ?? '0.1.0' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: [
        '*.password',
        '*.secret',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        // ioredis attaches the failed command to its errors; an AUTH command's arguments are the password.
        'err.command.args',
        'err.previousErrors[*].command.args',
      ],
      censor: '[redacted]',
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** A level pino accepts; any other string makes pino throw at start. */
export function isLogLevel(value: string): boolean {
  return value === 'silent' || Object.hasOwn(pino.levels.values, value);
}

/**
 * The `version` of the nearest package.json at or above `from` (a path or a file: URL), so every log
 * line says which build wrote it; `0.0.0` when there is none.
 */
export function packageVersion(from: string): string {
  let dir = from.startsWith('file:') ? fileURLToPath(from) : from;
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const version = (JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version;
      if (typeof version === 'string') return version;
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
