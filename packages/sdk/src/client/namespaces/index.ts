/** Typed methods generated from the contract's operations. */
export * from './build.ts';
export * from './invoke.ts';
export type * from './types.ts';
