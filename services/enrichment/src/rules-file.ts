import { readFileSync } from 'node:fs';
import { ConfigError } from '@vocflow/config';
import { formatIssues } from '@vocflow/contracts';
import type { z } from 'zod';

/** Reads and validates a JSON rules file; every problem names the file and the path inside it. */
export function loadRulesFile<S extends z.ZodType>(variable: string, path: string, schema: S): z.output<S> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('enrichment', [
      {
        variable,
        message: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      },
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('enrichment', [
      { variable, message: `${path} is not JSON: ${(error as Error).message}` },
    ]);
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new ConfigError(
      'enrichment',
      formatIssues(result.error.issues).map((issue) => ({
        variable,
        message: `${path} at ${issue.path || '(root)'}: ${issue.message}`,
      })),
    );
  }
  return result.data;
}
