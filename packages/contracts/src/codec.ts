import type { z } from 'zod';

export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: ContractIssue[] };

/**
 * Whether `encode` checks a record against its contract at run time. A producer encodes what it built
 * itself from typed code, and its type is the contract's, so in production the check would re-validate
 * every record it just made (a zod parse per record); everywhere else (tests, development) it runs, so a
 * builder that breaks the contract fails its tests. `VOCFLOW_CHECK_OUTPUTS=1` turns it on in production.
 */
export function outputsChecked(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  return env['NODE_ENV'] !== 'production' || env['VOCFLOW_CHECK_OUTPUTS'] === '1';
}
/** `outputsChecked()` of this process's environment. */
export const OUTPUTS_CHECKED = outputsChecked();

/**
 * The JSON of a record the process built (see `outputsChecked`). A string: Kafka clients write it into
 * the request buffer directly, where a Buffer would be one more copy of every record.
 */
export function encode<S extends z.ZodType>(schema: S, value: z.input<S> & z.output<S>): string {
  return JSON.stringify(OUTPUTS_CHECKED ? schema.parse(value) : value);
}

/** Parses bytes at the edge: never throws, reports every issue with its path. */
export function decode<S extends z.ZodType>(
  schema: S,
  bytes: Buffer | string | null | undefined,
): Decoded<z.output<S>> {
  if (bytes === null || bytes === undefined)
    return { ok: false, issues: [{ path: '', message: 'empty value' }] };
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, issues: [{ path: '', message: `not JSON: ${(error as Error).message}` }] };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: formatIssues(result.error.issues) };
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): ContractIssue[] {
  return issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
