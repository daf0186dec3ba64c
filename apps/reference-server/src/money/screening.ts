/**
 * The screening hook in front of escrow funding. An escrow on a corridor
 * listed in `SCREENING_ENHANCED_RISK_CORRIDORS` is funded only once the
 * sanctions / AML screener clears the payment. A hit, a screener that fails,
 * or no screener at all parks the funding as a manual task on `/ops` and
 * answers 409 `funding_parked`: nothing is posted to the ledger.
 *
 * The request's transaction rolls back with that answer, so the task is
 * written beside it on the server's database (queued until the transaction
 * ends on PGlite's single connection). Its id is fixed per tenant and
 * payment, so a retried request re-screens and never adds a second task.
 */
import type { ManualTask, SanctionsScreening } from '@clinicbridge/adapters';
import { operations } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import { type Feature, readSection } from '../feature.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { changeOf, defineHandlers } from '../kernel/handlers.ts';
import { ApiError } from '../kernel/problem.ts';
import { DatabaseManualTaskSink } from '../manual-tasks/store.ts';
import type { Logger } from '../observability/logger.ts';
import { holdEscrow, type NewEscrow } from './escrow.ts';

/**
 * The screening section of the environment.
 *
 * @example
 * screeningConfig.parse({ SCREENING_ENHANCED_RISK_CORRIDORS: 'NG-TR,IR-TR' });
 */
export const screeningConfig = z.object({
  /** Corridors (`ORIGIN-DESTINATION`, ISO 3166-1 alpha-2, comma-separated) whose escrows are screened before funding. */
  SCREENING_ENHANCED_RISK_CORRIDORS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((c) => c.trim().toUpperCase())
        .filter((c) => c.length > 0),
    )
    .pipe(z.array(z.string().regex(/^[A-Z]{2}-[A-Z]{2}$/, 'corridors look like NG-TR'))),
});

/**
 * What the gate needs: the enhanced-risk corridors, the screener (absent: none
 * configured) and where parked fundings go.
 *
 * @example
 * const gate: FundingGate = { corridors: new Set(['NG-TR']), screening, park: (task) => sink.record(task) };
 */
export interface FundingGate {
  corridors: ReadonlySet<string>;
  screening?: SanctionsScreening | undefined;
  park: (task: ManualTask) => void;
}

/**
 * Screens an escrow's funding when its corridor is enhanced-risk; throws
 * 409 `funding_parked` (after parking a manual task) unless the screener clears it.
 *
 * @example
 * await screenFunding(gate, change, { paymentId, corridor: 'NG-TR', milestones });
 */
export async function screenFunding(
  gate: FundingGate,
  change: ChangeContext,
  input: NewEscrow & { corridor?: string | undefined },
): Promise<void> {
  const { corridor } = input;
  if (!corridor || !gate.corridors.has(corridor)) return;
  const amount = input.milestones.reduce((sum, m) => sum + m.amount.amount, 0);
  const currency = input.milestones[0]?.amount.currency ?? 'XXX';
  let reason: 'screening_hit' | 'screening_unavailable' = 'screening_unavailable';
  if (gate.screening) {
    try {
      const result = await gate.screening.screen({
        subjectRef: input.paymentId,
        corridor,
        amountMinor: amount,
        currency,
      });
      if (result.outcome === 'clear') return;
      reason = 'screening_hit';
    } catch {
      reason = 'screening_unavailable';
    }
  }
  gate.park({
    id: `screening:${change.tenantId}:${input.paymentId}`,
    kind: 'escrow',
    provider: gate.screening?.provider ?? 'screening',
    operation: 'escrows.create',
    subjectRef: input.paymentId,
    summary: `Review the sanctions screening of payment ${input.paymentId} (corridor ${corridor}); if cleared, fund its escrow by hand.`,
    reason,
    details: { corridor, amount, currency },
    createdAt: change.now.toISOString(),
  });
  throw new ApiError(
    'funding_parked',
    reason === 'screening_hit'
      ? 'The payer needs a sanctions review before this escrow is funded; an operator task was opened. Nothing was posted.'
      : 'The sanctions screener could not answer; the funding waits for an operator. Nothing was posted.',
  );
}

/** Writes the parked task beside the request's transaction, logging a failure (a retry parks again). */
function parkOn(db: Kysely<DB>, logger: Logger | undefined): (task: ManualTask) => void {
  const sink = new DatabaseManualTaskSink(db);
  return (task) => {
    sink.record(task).catch((error: unknown) => {
      logger?.error({ err: error, taskId: task.id }, 'parked funding task not recorded');
    });
  };
}

/**
 * The screening hook as a feature: it takes over `escrows.create` (later
 * features win), screening before {@link holdEscrow}. List it after the money feature.
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, moneyFeature, escrowScreeningFeature({ screening })];
 */
export function escrowScreeningFeature(options: { screening?: SanctionsScreening } = {}): Feature {
  return {
    name: 'escrow-screening',
    config: screeningConfig,
    handlers: (context) => {
      const corridors = new Set(
        readSection(context.config, screeningConfig).SCREENING_ENHANCED_RISK_CORRIDORS,
      );
      return defineHandlers(operations.escrows, {
        create: async (ctx) => {
          const gate: FundingGate = {
            corridors,
            screening: options.screening,
            park: parkOn(context.db, context.logger),
          };
          await screenFunding(gate, changeOf(ctx), ctx.body);
          return holdEscrow(ctx.db, changeOf(ctx), ctx.body);
        },
      });
    },
  };
}
