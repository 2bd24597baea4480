/**
 * The short version of the fault drills for CI: a few seconds of load and every drill once, with
 * 5-second outages. A drill fails the build when anything acknowledged is lost or counted twice.
 * The long version stays a command: `npm run drill`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { DRILL_NAMES, runDrill, SHORT_DRILLS } from '../bench/drills/drills.ts';

describe('fault drills (short)', () => {
  const stack = inject('stack');
  const workDir = mkdtempSync(join(tmpdir(), 'vocflow-drills-'));

  for (const name of DRILL_NAMES) {
    it(`loses nothing acknowledged and counts nothing twice: ${name}`, { timeout: 180_000 }, async () => {
      const line = await runDrill(
        name,
        { kafkaBrokers: stack.kafkaBrokers, s3: stack.s3 },
        workDir,
        SHORT_DRILLS,
      );
      expect(line.counted, line.notes.join('; ')).not.toBeNull();
      expect(line.lost, line.notes.join('; ')).toBe(0);
      expect(line.doubleCounted, line.notes.join('; ')).toBe(0);
      expect(line.acknowledged).toBeGreaterThan(0);
      expect(line.passed, line.notes.join('; ')).toBe(true);
    });
  }
});
