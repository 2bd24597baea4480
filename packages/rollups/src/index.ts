export * from './apply.script.ts';
export * from './contribution.ts';
export * from './customer-erasure.ts';
export * from './drivers.ts';
export * from './feeds.layout.ts';
export * from './keys.ts';
export * from './metrics.ts';
export * from './rollup-reader.ts';
export * from './rollup-writer.ts';
/**
 * @deprecated a test fixture: import it from '@vocflow/rollups/testing'. Still re-exported only for the
 * aggregation erasure tests being written now; drop it once they import the testing path.
 */
export { enrichedItem } from './test-items.ts';
