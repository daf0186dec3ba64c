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
export const batchKinds: Record<ImportKind, BatchKind<never, never>> = {
  patients: patientBatches as unknown as BatchKind<never, never>,
  appointments: appointmentBatches as BatchKind<never, never>,
  pricing: pricingBatches as BatchKind<never, never>,
  capacity: capacityBatches as BatchKind<never, never>,
  leads: leadBatches as BatchKind<never, never>,
  settlement_lines: settlementLineBatches as BatchKind<never, never>,
};
