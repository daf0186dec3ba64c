/**
 * The handlers this server implements for API v1, by operation id. Any
 * operation missing here (and from every feature) answers 501.
 */
import type { HandlerMap } from './http/handlers.ts';
import { integrationTokenHandlers } from './tenants/routes.ts';

/**
 * Core handlers, merged into the app before feature handlers.
 *
 * @example
 * Object.keys(coreHandlers); // ['integrationTokens.create', …]
 */
export const coreHandlers: HandlerMap = {
  ...integrationTokenHandlers,
};
