export * from './api-keys.ts';
export * from './error-handler.ts';
export * from './problem.ts';
