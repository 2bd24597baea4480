import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { type Analyzer, createAnalyzer, loadModelFile } from '@vocflow/analysis';
import type { Command } from 'commander';

const HELP_EXAMPLE = `
Input: one JSON object per line, {"id"?: string|number, "text": string}.
Output: one JSON object per input line, in input order, on stdout:
  {"id": ..., "score", "label", "confidence", "language", "supported", "aspects", "analyzerVersion"}
  ("id" is the line number when the input has none). A line that cannot be read gives
  {"line": <n>, "error": "<why>"} on stdout in its place, and processing goes on; blank lines are skipped.
  The exit code is 1 when any line was bad.

Example:
  $ echo '{"id":"r1","text":"Delivery was late but support was great!"}' | vocflow analyze
  {"id":"r1","score":0.9967,"label":"positive",...,"aspects":[{"aspect":"service",...},{"aspect":"delivery",...}],...}
  $ echo '{"id":"2","text":"客服态度很差，等了三天都没人回复。"}' | vocflow analyze
  {"id":"2","score":-0.99,"label":"negative",...,"language":"zh",...,"aspects":[{"aspect":"service",...}],...}
  $ vocflow analyze --input feedback.ndjson > scored.ndjson
  $ vocflow analyze --model my-model.json < feedback.ndjson   (a model from vocflow analysis train)

Languages scored: English and Chinese (Simplified "zh", Traditional "zh-Hant"), also mixed in one
text; any other language comes back "supported": false with score 0.
`;

export interface AnalyzeStreamResult {
  lines: number;
  analyzed: number;
  errors: number;
}

/** Flush output in chunks of about this many characters, waiting for the consumer when it is full. */
const CHUNK = 64 * 1024;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Streams NDJSON from `input` to `output`, one result or error line per input line. Memory stays
 * bounded: lines are read one at a time and writing waits for `drain` when the consumer is slow.
 */
export async function analyzeStream(
  input: Readable,
  output: Writable,
  analyzer: Analyzer = createAnalyzer(),
): Promise<AnalyzeStreamResult> {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const result: AnalyzeStreamResult = { lines: 0, analyzed: 0, errors: 0 };
  let buffer = '';
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = '';
    if (!output.write(chunk)) await once(output, 'drain');
  };
  for await (const line of lines) {
    result.lines++;
    if (line.trim().length === 0) continue;
    let out: string;
    try {
      const item = JSON.parse(line) as unknown;
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw new Error('not a JSON object');
      const { id, text } = item as { id?: unknown; text?: unknown };
      if (typeof text !== 'string') throw new Error('"text" must be a string');
      if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
        throw new Error('"id" must be a string or a number');
      }
      out = JSON.stringify({ id: id ?? result.lines, ...analyzer.analyze(text) });
      result.analyzed++;
    } catch (error) {
      out = JSON.stringify({ line: result.lines, error: describe(error) });
      result.errors++;
    }
    buffer += `${out}\n`;
    if (buffer.length >= CHUNK) await flush();
  }
  await flush();
  return result;
}

export function registerAnalyze(program: Command): void {
  program
    .command('analyze')
    .description(
      'score texts for sentiment, aspects and language: NDJSON {"id"?, "text"} in, one result per line out',
    )
    .option('-i, --input <file>', 'read NDJSON from this file instead of stdin')
    .option('-m, --model <file>', 'a model file from `vocflow analysis train` (default: the shipped model)')
    .addHelpText('after', HELP_EXAMPLE)
    .action(async (options: { input?: string; model?: string }) => {
      const analyzer = createAnalyzer(
        options.model === undefined ? {} : { model: loadModelFile(options.model) },
      );
      const input = options.input === undefined ? process.stdin : createReadStream(options.input);
      // A closed pipe (`vocflow analyze | head`) ends the run quietly.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0);
        throw error;
      });
      const result = await analyzeStream(input, process.stdout, analyzer);
      if (result.errors > 0) {
        process.stderr.write(
          `vocflow analyze: ${result.errors} of ${result.lines} lines could not be read\n`,
        );
        process.exitCode = 1;
      }
    });
}
