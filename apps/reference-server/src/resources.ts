/**
 * The handlers this server implements for API v1, by operation id. Any
 * operation missing here and from every feature answers 501
 * `not_implemented`. Webhook endpoints, deliveries and dead letters come
 * from the event-bus feature (see features.ts); imports and exports have no
 * handler yet.
 */
import { appointmentHandlers } from './appointments/routes.ts';
import { auditEventHandlers } from './audit/routes.ts';
import { eventHandlers } from './events/routes.ts';
import type { HandlerMap } from './http/handlers.ts';
import { integrationHandlers } from './integrations/routes.ts';
import { invoiceHandlers } from './invoices/routes.ts';
import { patientHandlers } from './patients/routes.ts';
import { paymentHandlers, refundHandlers } from './payments/routes.ts';
import { integrationTokenHandlers } from './tenants/routes.ts';
import { visitHandlers } from './visits/routes.ts';

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
