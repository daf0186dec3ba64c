/** Receiving ClinicBridge webhooks: signature verification and typed events. */
export * from './verify.ts';
