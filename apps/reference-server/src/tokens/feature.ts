/** The integration-tokens feature: API keys and OAuth clients a tenant gives its integrations (`integrationTokens.*`, `oauthClients.*`). */
import type { Feature } from '../feature.ts';
import { integrationTokenHandlers, oauthClientHandlers } from './handlers.ts';

/**
 * The integration-tokens feature (its tables come from the core migration, `0001-core`).
 *
 * @example
 * const features: Feature[] = [tokensFeature];
 */
export const tokensFeature: Feature = {
  name: 'integration-tokens',
  tables: ['api_keys', 'oauth_clients'],
  handlers: { ...integrationTokenHandlers, ...oauthClientHandlers },
};
