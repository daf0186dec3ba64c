/**
 * The conversations feature: a consenting patient's WhatsApp message
 * becomes `whatsapp.inbound` (the inbound feature's WhatsApp handler calls
 * ./inbound.ts; this feature needs no table of its own), and the Travel
 * Desk's flight search for a case at `/ops/travel` becomes
 * `travel.offer.generated` (./ops.ts, ./offers.ts). The `/ops` pages need
 * the console feature (which owns the operator trail).
 */
import type { Feature } from '../feature.ts';
import { mountTravelOpsRoutes } from './ops.ts';

/**
 * The conversations feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, inboundFeature(), consoleFeature(), conversationsFeature];
 */
export const conversationsFeature: Feature = {
  name: 'conversations',
  routes: (app, context) =>
    mountTravelOpsRoutes(app, context, () => context.providers.travel?.flights),
};
