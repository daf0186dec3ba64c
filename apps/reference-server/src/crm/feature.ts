/** The CRM feature: non-clinical marketing fields of events, queued for CRM sync (`crm_sync_records`). */
import type { Feature } from '../feature.ts';
import { crmSyncSubscriber } from './subscriber.ts';

/**
 * The CRM sync feature.
 *
 * @example
 * const features: Feature[] = [crmFeature];
 */
export const crmFeature: Feature = {
  name: 'crm',
  tables: ['crm_sync_records'],
  subscribers: () => [crmSyncSubscriber()],
};
