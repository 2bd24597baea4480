/**
 * Per-stage benchmarks the services export themselves (`benchIngest`, `benchAggregation`,
 * `benchAnalyzer`). Loaded when their files exist; a missing one is reported, never invented.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../lib/processes.ts';

export interface ExternalBench {
  readonly name: string;
  readonly file: string;
  readonly exportName: string;
}

export const EXTERNAL_BENCHES = {
  ingest: { name: 'ingest', file: 'services/ingest/src/ingest.bench.ts', exportName: 'benchIngest' },
  aggregation: {
    name: 'aggregation',
    file: 'services/aggregation/src/aggregation.bench.ts',
    exportName: 'benchAggregation',
  },
  analyzer: {
    name: 'analyzer',
    file: 'packages/analysis/src/analyzer.bench.ts',
    exportName: 'benchAnalyzer',
  },
} as const satisfies Record<string, ExternalBench>;

export type ExternalOutcome =
  | { readonly ok: true; readonly figures: Readonly<Record<string, number>> }
  | { readonly ok: false; readonly reason: string };

/** Numeric fields of the result, flattened one level (`{redis: {commandsPerEvent}}` → `redis.commandsPerEvent`). */
function numericFields(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (value === null || typeof value !== 'object') return out;
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
    else if (v !== null && typeof v === 'object') {
      for (const [inner, w] of Object.entries(v as Record<string, unknown>)) {
        if (typeof w === 'number' && Number.isFinite(w)) out[`${key}.${inner}`] = w;
      }
    }
  }
  return out;
}

export async function runExternal(
  bench: ExternalBench,
  context: Record<string, unknown>,
): Promise<ExternalOutcome> {
  const path = join(PROJECT_ROOT, bench.file);
  if (!existsSync(path)) return { ok: false, reason: `${bench.file} does not exist yet` };
  try {
    const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
    const fn = module[bench.exportName];
    if (typeof fn !== 'function')
      return { ok: false, reason: `${bench.file} exports no ${bench.exportName}` };
    const result = await (fn as (context: Record<string, unknown>) => Promise<unknown>)(context);
    return { ok: true, figures: numericFields(result) };
  } catch (error) {
    return { ok: false, reason: `${bench.exportName} failed: ${(error as Error).message}` };
  }
}

/** The first present field among candidate names. */
export function pick(figures: Readonly<Record<string, number>>, ...names: string[]): number | null {
  for (const name of names) if (figures[name] !== undefined) return figures[name]!;
  return null;
}
