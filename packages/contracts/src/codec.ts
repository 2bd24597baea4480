import type { z } from 'zod';

export interface ContractIssue {
  readonly path: string;
  readonly message: string;
}

export type Decoded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: ContractIssue[] };

/** JSON bytes of a record, validated against its contract first so nothing malformed is produced. */
export function encode<S extends z.ZodType>(schema: S, value: z.input<S>): Buffer {
  return Buffer.from(JSON.stringify(schema.parse(value)));
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
