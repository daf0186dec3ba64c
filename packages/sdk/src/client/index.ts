/**
 * The ClinicBridge API v1 client: construction, authentication, retries,
 * errors, pagination, hooks and validation. Re-exported by the package root.
 */
export * from './auth/index.ts';
export * from './client-core.ts';
export * from './clinic-bridge.ts';
export { systemClock } from './core/clock.ts';
export { sendOperation } from './core/engine.ts';
export type {
  ApiKeyClientOptions,
  ClientCoreOptions,
  ClinicBridgeOptions,
  CommonClientOptions,
  CustomAuthClientOptions,
  OAuthClientOptions,
} from './core/options.ts';
export type * from './core/types.ts';
export * from './errors/index.ts';
export * from './hooks/index.ts';
export * from './namespaces/index.ts';
export * from './pagination/index.ts';
export * from './retry/index.ts';
export * from './webhooks/index.ts';
