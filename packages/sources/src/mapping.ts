import { readFileSync } from 'node:fs';
import {
  type Answer,
  type AnswerRole,
  FeedbackSource,
  formatIssues,
  type Scores,
  type TextPart,
} from '@vocflow/contracts';
import { z } from 'zod';

/** A question named by its id, or by the provider's `ref` where it has one (Typeform). */
const QuestionRef = z.string().min(1).max(256);
/** A score question, optionally with its own scale mapped linearly onto the metric's scale. */
const ScaledRef = z.union([
  QuestionRef,
  z.object({ question: QuestionRef, scale: z.tuple([z.number(), z.number()]) }).strict(),
]);
const OneOrMany = z.union([QuestionRef, z.array(QuestionRef).min(1)]);

export const FormMapping = z
  .object({
    nps: QuestionRef.optional(),
    csat: ScaledRef.optional(),
    ces: ScaledRef.optional(),
    comment: OneOrMany.optional(),
    /** Where the customer reference is: hidden field / contact attribute / property names. */
    customer: z
      .object({ id: OneOrMany.optional(), email: OneOrMany.optional(), handle: OneOrMany.optional() })
      .strict()
      .optional(),
    channel: z.string().min(1).max(64).optional(),
  })
  .strict();
export type FormMapping = z.infer<typeof FormMapping>;

/**
 * The mappings file (`VOCFLOW_MAPPINGS`): per source, per form id (`*` for every form of that source).
 * `{"typeform": {"lT4Z3j": {"nps": "nps_score", "comment": "nps_reason"}, "*": {"customer": {"id": "uid"}}}}`
 */
export const Mappings = z.partialRecord(FeedbackSource, z.record(z.string().min(1), FormMapping));
export type Mappings = z.infer<typeof Mappings>;

export class MappingError extends Error {
  override readonly name = 'MappingError';
}

/** Reads and validates the mappings file; no file means the safe defaults only. */
export function loadMappings(path: string | undefined): Mappings {
  if (path === undefined || path === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MappingError(`cannot read mappings file ${path}: ${(error as Error).message}`);
  }
  const parsed = Mappings.safeParse(json);
  if (!parsed.success) {
    const lines = formatIssues(parsed.error.issues).map((i) => `  - ${i.path || '(root)'}: ${i.message}`);
    throw new MappingError(`invalid mappings file ${path}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The mapping for one form: the form's own entry over the source's `*` entry. */
export function mappingFor(
  mappings: Mappings,
  source: FeedbackSource,
  formId: string | undefined,
): FormMapping {
  const bySource = mappings[source];
  if (!bySource) return {};
  const wildcard = bySource['*'] ?? {};
  const own = formId === undefined ? undefined : bySource[formId];
  return { ...wildcard, ...own, customer: { ...wildcard.customer, ...own?.customer } };
}

const toList = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

/** Customer field names a mapping names, falling back to the common ones. */
export function customerFieldNames(mapping: FormMapping): {
  id: readonly string[];
  email: readonly string[];
  handle: readonly string[];
} {
  const c = mapping.customer ?? {};
  return {
    id: c.id ? toList(c.id) : ['customer_id', 'customerId', 'Customer ID', 'user_id', 'userId', 'uid'],
    email: c.email ? toList(c.email) : ['email', 'Email', 'customer_email'],
    handle: c.handle ? toList(c.handle) : ['handle'],
  };
}

/** An answer as an adapter reads it, before roles are assigned. */
export interface DraftAnswer {
  readonly questionId: string;
  /** Other names the mapping may use for this question (Typeform `ref`). */
  readonly aliases?: readonly string[];
  readonly type: string;
  readonly title?: string;
  readonly value: Answer['value'];
  /** The role the provider's own question type implies (an NPS question type). */
  readonly defaultRole?: AnswerRole;
  /** Free text (a comment candidate when the mapping names none). */
  readonly freeText?: boolean;
}

const matches = (answer: DraftAnswer, ref: string) =>
  answer.questionId === ref || (answer.aliases ?? []).includes(ref);
const refOf = (r: z.infer<typeof ScaledRef> | undefined) =>
  r === undefined ? undefined : typeof r === 'string' ? r : r.question;

function numeric(value: Answer['value']): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function scale(
  value: number,
  from: readonly [number, number] | undefined,
  to: readonly [number, number],
): number {
  if (!from || from[1] === from[0]) return value;
  return to[0] + ((value - from[0]) * (to[1] - to[0])) / (from[1] - from[0]);
}

export interface Resolved {
  readonly answers: Answer[];
  readonly scores: Scores;
  readonly texts: TextPart[];
}

/**
 * Assigns roles (mapping first, then the provider's own question types; never a 0–10 range alone),
 * computes the scores and collects the texts. A mapped score whose value is out of range is left out
 * of `scores` (the answer itself is kept).
 */
export function resolveAnswers(drafts: readonly DraftAnswer[], mapping: FormMapping): Resolved {
  const npsRef = mapping.nps;
  const csatRef = refOf(mapping.csat);
  const cesRef = refOf(mapping.ces);
  const commentRefs = toList(mapping.comment);
  const answers: Answer[] = [];
  const scores: { nps?: number; csat?: number; ces?: number } = {};
  const texts: TextPart[] = [];
  for (const d of drafts) {
    let role: AnswerRole | undefined;
    if (npsRef !== undefined && matches(d, npsRef)) role = 'nps';
    else if (csatRef !== undefined && matches(d, csatRef)) role = 'csat';
    else if (cesRef !== undefined && matches(d, cesRef)) role = 'ces';
    else if (commentRefs.some((r) => matches(d, r))) role = 'comment';
    else if (d.defaultRole && !(d.defaultRole === 'nps' && npsRef !== undefined)) role = d.defaultRole;
    answers.push({
      questionId: d.questionId,
      type: d.type,
      ...(d.title === undefined ? {} : { title: d.title }),
      value: d.value,
      ...(role === undefined ? {} : { role }),
    });
    const n = numeric(d.value);
    if (
      role === 'nps' &&
      n !== undefined &&
      Number.isInteger(n) &&
      n >= 0 &&
      n <= 10 &&
      scores.nps === undefined
    )
      scores.nps = n;
    if (role === 'csat' && n !== undefined && scores.csat === undefined) {
      const v = scale(n, typeof mapping.csat === 'object' ? mapping.csat.scale : undefined, [1, 5]);
      if (v >= 1 && v <= 5) scores.csat = v;
    }
    if (role === 'ces' && n !== undefined && scores.ces === undefined) {
      const v = scale(n, typeof mapping.ces === 'object' ? mapping.ces.scale : undefined, [1, 7]);
      if (v >= 1 && v <= 7) scores.ces = v;
    }
  }
  const hasComment = answers.some((a) => a.role === 'comment');
  for (const [i, a] of answers.entries()) {
    const isText = hasComment ? a.role === 'comment' : drafts[i]!.freeText === true;
    if (isText && typeof a.value === 'string' && a.value.trim() !== '')
      texts.push({ field: a.questionId, text: a.value });
  }
  return { answers, scores, texts };
}
