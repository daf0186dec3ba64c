/** The audit feature: reading the audit log (`auditEvents.*`); rows are written by the kernel in each change's transaction. */
import type { Feature } from '../feature.ts';
import { auditEventHandlers } from './handlers.ts';

/**
 * The audit feature.
 *
 * @example
 * const features: Feature[] = [auditFeature];
 */
export const auditFeature: Feature = {
  name: 'audit',
  handlers: auditEventHandlers,
};
