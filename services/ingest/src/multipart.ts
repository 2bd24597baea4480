import busboy from 'busboy';
import { Problem } from './problem.ts';

/** Bounds of a multipart body besides its size (the body limit): fields, and bytes per field. */
export interface MultipartLimits {
  readonly maxFields: number;
  readonly maxFieldBytes: number;
}

export const MULTIPART_LIMITS: MultipartLimits = { maxFields: 200, maxFieldBytes: 512 * 1024 };

/**
 * The text fields of a `multipart/form-data` body already held in memory (the webhook edge keeps raw
 * bytes). Files are not expected (Jotform sends upload links in its fields) and are skipped; more
 * fields, or a longer field, than the limits allow is a 400 naming the limit, never a silent cut.
 */
export function parseMultipart(
  raw: Buffer,
  contentType: string,
  limits: MultipartLimits = MULTIPART_LIMITS,
): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = Object.create(null);
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: {
          fields: limits.maxFields,
          fieldSize: limits.maxFieldBytes,
          files: 0,
          parts: limits.maxFields,
        },
      });
    } catch (error) {
      reject(new Problem('invalid_body', `not a multipart body: ${(error as Error).message}`));
      return;
    }
    let failed: Problem | undefined;
    const fail = (problem: Problem) => {
      failed ??= problem;
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated)
        fail(
          new Problem(
            'invalid_body',
            `field "${name.slice(0, 64)}" is longer than ${limits.maxFieldBytes} bytes`,
          ),
        );
      else fields[name] = value;
    });
    parser.on('file', (_name, stream) => stream.resume());
    parser.on('fieldsLimit', () =>
      fail(new Problem('invalid_body', `more than ${limits.maxFields} form fields`)),
    );
    parser.on('partsLimit', () =>
      fail(new Problem('invalid_body', `more than ${limits.maxFields} form parts`)),
    );
    parser.on('error', (error: Error) =>
      reject(new Problem('invalid_body', `not a valid multipart body: ${error.message}`)),
    );
    parser.on('close', () => (failed ? reject(failed) : resolve({ ...fields })));
    parser.end(raw);
  });
}
