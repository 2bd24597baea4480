export * from './env.ts';
export * from './input-limits.slice.ts';
export * from './load.ts';
export * from './shared.ts';
export * from './slices.ts';
