import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The documented payloads and provider API responses shipped with this package (tests, demos, bench). */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** The exact bytes of a fixture (signatures are computed over them). */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(fixturePath(name));
}
