/** The batched writer of each import kind. */
import type { ImportKind } from '../kinds.ts';
import type { BatchKind } from './batch-kind.ts';
import { capacityBatches, pricingBatches } from './write-catalogue.ts';
import { leadBatches } from './write-leads.ts';
import { appointmentBatches, patientBatches } from './write-records.ts';
import { settlementLineBatches } from './write-settlements.ts';

/**
 * Writers by kind.
 *
 * @example
 * const rejects = await batchKinds.leads.write(trx, change, prepared);
 */
export const batchKinds: Record<ImportKind, BatchKind<never>> = {
  patients: patientBatches as BatchKind<never>,
  appointments: appointmentBatches as BatchKind<never>,
  pricing: pricingBatches as BatchKind<never>,
  capacity: capacityBatches as BatchKind<never>,
  leads: leadBatches as BatchKind<never>,
  settlement_lines: settlementLineBatches as BatchKind<never>,
};
