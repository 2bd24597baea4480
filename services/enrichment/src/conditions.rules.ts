import { z } from 'zod';

/**
 * The small rule language segments and alerts share. A condition is a leaf over one attribute, or
 * `all` / `any` / `not` over conditions:
 *
 *   {"attribute": "tier", "equals": "enterprise"}
 *   {"attribute": "region", "in": ["EMEA", "APAC"]}
 *   {"attribute": "nps", "lte": 6}
 *   {"attribute": "plan", "exists": true}
 *   {"all": [...]}, {"any": [...]}, {"not": {...}}
 *
 * Strings compare case-insensitively. An attribute whose value is a list (`segments`) matches
 * `equals` when it contains the value and `in` when it contains any of the values.
 */

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const LeafCondition = z
  .object({
    attribute: z.string().min(1).max(128),
    equals: Scalar.optional(),
    in: z.array(Scalar).min(1).optional(),
    exists: z.boolean().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
  })
  .strict()
  .refine(
    (leaf) =>
      ['equals', 'in', 'exists', 'lt', 'lte', 'gt', 'gte'].some(
        (op) => (leaf as Record<string, unknown>)[op] !== undefined,
      ),
    { message: 'a condition needs one of equals, in, exists, lt, lte, gt, gte' },
  );
export type LeafCondition = z.infer<typeof LeafCondition>;

export type Condition = LeafCondition | { all: Condition[] } | { any: Condition[] } | { not: Condition };

export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(Condition).min(1) }).strict(),
    z.object({ any: z.array(Condition).min(1) }).strict(),
    z.object({ not: Condition }).strict(),
    LeafCondition,
  ]),
);

export type AttributeValue = string | number | boolean | null | undefined | readonly string[];

/** Looks an attribute up by name; undefined when the subject has no such attribute. */
export type Resolve = (attribute: string) => AttributeValue;

const norm = (v: string | number | boolean): string | number | boolean =>
  typeof v === 'string' ? v.trim().toLowerCase() : v;

function sameValue(actual: string | number | boolean, expected: string | number | boolean): boolean {
  const a = norm(actual);
  const e = norm(expected);
  if (a === e) return true;
  // Profiles carry numbers as strings sometimes ("10" vs 10); compare numbers numerically.
  if (typeof a !== typeof e && a !== '' && e !== '' && Number(a) === Number(e)) return true;
  return false;
}

function matchLeaf(leaf: LeafCondition, value: AttributeValue): boolean {
  const present = value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
  if (leaf.exists !== undefined && leaf.exists !== present) return false;
  if (!present) return leaf.exists === false;
  const values: readonly (string | number | boolean)[] = Array.isArray(value)
    ? value
    : [value as string | number | boolean];
  if (leaf.equals !== undefined && !values.some((v) => sameValue(v, leaf.equals!))) return false;
  if (leaf.in !== undefined && !values.some((v) => leaf.in!.some((e) => sameValue(v, e)))) return false;
  const numeric = [leaf.lt, leaf.lte, leaf.gt, leaf.gte].some((b) => b !== undefined);
  if (numeric) {
    const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
    if (!Number.isFinite(n)) return false;
    if (leaf.lt !== undefined && !(n < leaf.lt)) return false;
    if (leaf.lte !== undefined && !(n <= leaf.lte)) return false;
    if (leaf.gt !== undefined && !(n > leaf.gt)) return false;
    if (leaf.gte !== undefined && !(n >= leaf.gte)) return false;
  }
  return true;
}

export function matches(condition: Condition, resolve: Resolve): boolean {
  if ('all' in condition) return condition.all.every((c) => matches(c, resolve));
  if ('any' in condition) return condition.any.some((c) => matches(c, resolve));
  if ('not' in condition) return !matches(condition.not, resolve);
  return matchLeaf(condition, resolve(condition.attribute));
}
