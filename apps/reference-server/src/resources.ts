/**
 * The handlers this server implements for API v1, by operation id. Any
 * operation missing here and from every feature answers 501
 * `not_implemented`. Webhook endpoints, deliveries and dead letters come
 * from the event-bus feature (see features.ts); imports and exports have no
 * handler yet.
 */
import { appointmentHandlers } from './appointments/handlers.ts';
import { auditEventHandlers } from './audit/handlers.ts';
import { eventHandlers } from './events/handlers.ts';
import { integrationHandlers } from './integrations/handlers.ts';
import { invoiceHandlers } from './invoices/handlers.ts';
import type { HandlerMap } from './kernel/handlers.ts';
import { patientHandlers } from './patients/handlers.ts';
import { paymentHandlers, refundHandlers } from './payments/handlers.ts';
import { integrationTokenHandlers } from './tokens/handlers.ts';
import { visitHandlers } from './visits/handlers.ts';

/**
 * Core handlers, merged into the app before feature handlers.
 *
 * @example
 * Object.keys(coreHandlers); // ['integrationTokens.create', …]
 */
export const coreHandlers: HandlerMap = {
  ...integrationTokenHandlers,
  ...patientHandlers,
  ...appointmentHandlers,
  ...visitHandlers,
  ...invoiceHandlers,
  ...paymentHandlers,
  ...refundHandlers,
  ...eventHandlers,
  ...auditEventHandlers,
  ...integrationHandlers,
};
