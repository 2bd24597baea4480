export * from './env.ts';
export * from './load.ts';
export * from './slices.ts';
