import { Problem } from './problem.ts';

const MAX_DEPTH = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body as UTF-8 text; invalid UTF-8 is a 400, not a replacement character. */
export function decodeUtf8(raw: Buffer): string {
  try {
    return utf8.decode(raw);
  } catch {
    throw new Problem('invalid_body', 'the body is not valid UTF-8');
  }
}

/** Rejects nesting deeper than MAX_DEPTH before parsing (cheap scan, strings skipped). */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > MAX_DEPTH)
        throw new Problem('invalid_body', `JSON nested deeper than ${MAX_DEPTH} levels`);
    } else if (c === 125 || c === 93) depth--;
  }
}

/** Parses a JSON body: valid UTF-8, bounded depth, syntax errors as 400. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') throw new Problem('invalid_body', 'the body is empty');
  checkDepth(text);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Problem('invalid_body', `the body is not JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

/** NDJSON: one JSON value per non-empty line. */
export function parseNdjson(text: string): unknown[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new Problem('invalid_body', 'the body is empty');
  return lines.map((line, i) => {
    try {
      return parseJson(line);
    } catch (error) {
      throw new Problem('invalid_body', `line ${i + 1}: ${(error as Error).message}`);
    }
  });
}

/** The media type without parameters, lower case (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}
