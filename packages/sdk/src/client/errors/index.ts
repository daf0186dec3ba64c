/**
 * Errors thrown by the client, and guards that recognise them across copies
 * of the package.
 */
export * from './errors.ts';
export { type ErrorResponseInfo, errorFromResponse } from './from-response.ts';
export * from './guards.ts';
