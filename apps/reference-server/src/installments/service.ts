/**
 * Installment plans: an invoice's balance split into parts with due dates.
 * Payments made after the plan cover its parts in order, so a part's state
 * is read from the invoice: `paid` once covered, `overdue` once the job
 * found its due date passed first. The overdue job (overdue.ts) raises
 * `installment.overdue` once per part: it marks the part under its row
 * lock in the same transaction as the event.
 */
import { type InstallmentPlan, newId } from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import { requireInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';

const DAY_MS = 86_400_000;

/** A part is late from the start of the day after its due date (UTC). */
const lateFrom = (dueDate: string) => new Date(Date.parse(`${dueDate}T00:00:00Z`) + DAY_MS);

/**
 * How much of the plan payments have covered: paid on the invoice since the plan was made.
 *
 * @example
 * const covered = coveredAmount(plan, invoice);
 */
export function coveredAmount(
  plan: Pick<Row<'installment_plans'>, 'paid_before'>,
  invoice: Pick<Row<'invoices'>, 'amount_paid'>,
): number {
  return Math.max(0, invoice.amount_paid - plan.paid_before);
}

/**
 * Whether part `number` is covered by `covered`, the parts being paid in order.
 *
 * @example
 * isCovered(parts, 2, 7_000); // true when parts 1 and 2 add up to 7,000 or less
 */
export function isCovered(
  parts: readonly Pick<Row<'installment_parts'>, 'number' | 'amount'>[],
  number: number,
  covered: number,
): boolean {
  const through = parts.filter((p) => p.number <= number).reduce((s, p) => s + p.amount, 0);
  return through <= covered;
}

async function loadPlan(db: Kysely<DB>, tenantId: string, id: string) {
  const plan = await db
    .selectFrom('installment_plans')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!plan) throw new ApiError('not_found', `No installment plan ${id} in this tenant.`);
  const parts = await db
    .selectFrom('installment_parts')
    .selectAll()
    .where('plan_id', '=', id)
    .orderBy('number')
    .execute();
  const invoice = await requireInvoice(db, tenantId, plan.invoice_id);
  return { plan, parts, invoice };
}

function toPlan({ plan, parts, invoice }: Awaited<ReturnType<typeof loadPlan>>): InstallmentPlan {
  const covered = coveredAmount(plan, invoice);
  const money = (amount: number) => ({ amount, currency: plan.currency });
  return {
    id: plan.id as `ipl_${string}`,
    invoiceId: plan.invoice_id as `inv_${string}`,
    total: money(plan.total),
    parts: parts.map((p) => ({
      number: p.number,
      amount: money(p.amount),
      dueDate: p.due_date,
      status: isCovered(parts, p.number, covered) ? 'paid' : p.overdue_at ? 'overdue' : 'scheduled',
      overdueAt: p.overdue_at?.toISOString() ?? null,
    })),
    createdAt: plan.created_at.toISOString(),
  };
}

/**
 * Splits an invoice's balance into parts: one plan per invoice, in its currency, adding up to the balance.
 *
 * @example
 * await createPlan(trx, change, { invoiceId, parts: [{ amount: { amount: 5000, currency: 'EUR' }, dueDate: '2026-12-01' }] });
 */
export async function createPlan(
  db: Kysely<DB>,
  change: ChangeContext,
  input: {
    invoiceId: string;
    parts: { amount: { amount: number; currency: string }; dueDate: string }[];
  },
): Promise<InstallmentPlan> {
  const invoice = await requireInvoice(db, change.tenantId, input.invoiceId, { lock: true });
  if (input.parts.some((p) => p.amount.currency !== invoice.currency)) {
    throw new ApiError(
      'currency_mismatch',
      `The invoice is in ${invoice.currency}; plan in that currency.`,
    );
  }
  const total = input.parts.reduce((sum, p) => sum + p.amount.amount, 0);
  const balance = invoice.total - invoice.amount_paid;
  if (total !== balance) {
    throw new ApiError(
      'unprocessable',
      `The parts add up to ${total}; the invoice balance is ${balance} (minor units). Make them equal.`,
    );
  }
  const taken = await db
    .selectFrom('installment_plans')
    .select('id')
    .where('invoice_id', '=', invoice.id)
    .executeTakeFirst();
  if (taken) throw new ApiError('conflict', `Invoice ${invoice.id} already has plan ${taken.id}.`);
  const id = newId('ipl');
  await db
    .insertInto('installment_plans')
    .values({
      id,
      tenant_id: change.tenantId,
      invoice_id: invoice.id,
      currency: invoice.currency,
      total,
      paid_before: invoice.amount_paid,
      created_at: change.now,
    })
    .execute();
  await db
    .insertInto('installment_parts')
    .values(
      input.parts.map((p, i) => ({
        id: `${id}:${i + 1}`,
        tenant_id: change.tenantId,
        plan_id: id,
        number: i + 1,
        amount: p.amount.amount,
        due_date: p.dueDate,
        next_check_at: lateFrom(p.dueDate),
        overdue_at: null,
      })),
    )
    .execute();
  await recordChange(db, change, {
    action: 'installment_plan.created',
    entityType: 'installment_plan',
    entityId: id,
    audit: { invoiceId: invoice.id, parts: input.parts.length, total },
  });
  return toPlan(await loadPlan(db, change.tenantId, id));
}

/**
 * A plan of the tenant, or 404.
 *
 * @example
 * await getPlan(db, tenantId, 'ipl_…');
 */
export async function getPlan(
  db: Kysely<DB>,
  tenantId: string,
  id: string,
): Promise<InstallmentPlan> {
  return toPlan(await loadPlan(db, tenantId, id));
}

/**
 * Settles one leased part: marks it overdue and raises `installment.overdue`
 * if it is past due and not covered, or stops watching it if it is covered.
 * Under the part's row lock, and only while `overdue_at` is null, so the
 * event is raised once however often (and by however many processes) it runs.
 *
 * @example
 * await settlePart(trx, 'ipl_…:2', new Date());
 */
export async function settlePart(db: Kysely<DB>, partId: string, now: Date): Promise<boolean> {
  const part = await db
    .selectFrom('installment_parts')
    .selectAll()
    .where('id', '=', partId)
    .forUpdate()
    .executeTakeFirst();
  if (!part || part.overdue_at || part.next_check_at === null) return false;
  const plan = await db
    .selectFrom('installment_plans')
    .selectAll()
    .where('id', '=', part.plan_id)
    .executeTakeFirstOrThrow();
  const invoice = await requireInvoice(db, plan.tenant_id, plan.invoice_id);
  const parts = await db
    .selectFrom('installment_parts')
    .select(['number', 'amount'])
    .where('plan_id', '=', plan.id)
    .execute();
  if (isCovered(parts, part.number, coveredAmount(plan, invoice))) {
    await db
      .updateTable('installment_parts')
      .set({ next_check_at: null })
      .where('id', '=', partId)
      .execute();
    return false;
  }
  await db
    .updateTable('installment_parts')
    .set({ next_check_at: null, overdue_at: now })
    .where('id', '=', partId)
    .execute();
  await recordChange(
    db,
    {
      tenantId: plan.tenant_id,
      actor: { type: 'system', id: 'installments' },
      requestId: null,
      now,
    },
    {
      action: 'installment.overdue',
      entityType: 'installment_plan',
      entityId: plan.id,
      audit: { part: part.number, amount: part.amount },
      event: {
        type: 'installment.overdue',
        data: {
          invoiceId: plan.invoice_id as `inv_${string}`,
          planId: plan.id as `ipl_${string}`,
          installment: part.number,
          amountDue: { amount: part.amount, currency: plan.currency },
          dueDate: part.due_date,
        },
      },
    },
  );
  return true;
}
