/** The reference keying lives with the contracts (the erase command computes the same keys). */
export { createPseudonymKeying, isPseudonym, keyedRef, UNSALTED } from '@vocflow/contracts';
