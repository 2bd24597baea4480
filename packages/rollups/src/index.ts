export * from './apply.script.ts';
export * from './contribution.ts';
export * from './drivers.ts';
export * from './keys.ts';
export * from './metrics.ts';
export * from './rollup-reader.ts';
export * from './rollup-writer.ts';
export * from './test-items.ts';
