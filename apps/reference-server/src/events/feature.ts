/** The events feature: reading the event log (`events.*`); events are written by every write through the kernel's outbox. */
import type { Feature } from '../feature.ts';
import { eventHandlers } from './handlers.ts';

/**
 * The events feature.
 *
 * @example
 * const features: Feature[] = [eventsFeature];
 */
export const eventsFeature: Feature = {
  name: 'events',
  handlers: eventHandlers,
};
