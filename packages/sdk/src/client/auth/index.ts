/** Authentication strategies: API key, and OAuth client credentials with a pluggable token cache. */
export * from './api-key.ts';
export * from './memory-token-cache.ts';
export * from './oauth.ts';
export type * from './types.ts';
