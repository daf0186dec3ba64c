/**
 * The features the server runs besides its core API (see `Feature` in
 * app.ts): each adds operation handlers, extra routes and background work.
 * Add a feature by importing it here and appending it to the list.
 */
import type { Feature } from './app.ts';

/**
 * Features mounted by `clinicbridge-server start`.
 *
 * @example
 * const server = await startServer({ config, features: serverFeatures });
 */
export const serverFeatures: Feature[] = [];
