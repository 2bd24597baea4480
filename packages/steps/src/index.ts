export { dependencyWait, type MessageClock, ownTimeMs, startClock, withClock } from './budget.ts';
export * from './errors.ts';
export * from './result.ts';
