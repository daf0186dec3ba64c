/**
 * Installment plans: an invoice paid in scheduled parts, each with a due
 * date. Payments against the invoice cover the parts in order; a part whose
 * due date passed before it was covered is `overdue`, and the server raises
 * `installment.overdue` for it once.
 */
import * as z from 'zod/mini';
import { date, dateInput, money, positiveMoneyInput, timestamp } from '../common.ts';
import { idSchema } from '../ids.ts';
import { defineOperation } from '../operation.ts';

/**
 * An installment plan and where each part stands.
 *
 * @example
 * const plan = installmentPlan.parse(await res.json());
 */
export const installmentPlan = z.object({
  id: idSchema('ipl'),
  invoiceId: idSchema('inv'),
  total: money,
  parts: z.array(
    z.object({
      /** 1 for the first part. */
      number: z.int(),
      amount: money,
      dueDate: date,
      /** `paid` once payments cover it (in order), `overdue` once its due date passed first. */
      status: z.enum(['scheduled', 'paid', 'overdue']),
      overdueAt: z.nullable(timestamp),
    }),
  ),
  createdAt: timestamp,
});

/**
 * Split an invoice's balance into parts with due dates (`installmentPlans.create`).
 * The parts add up to the balance, in one currency, due dates strictly increasing.
 *
 * @example
 * await client.installmentPlans.create({ invoiceId, parts: [{ amount: { amount: 5000, currency: 'EUR' }, dueDate: '2026-12-01' }] });
 */
export const installmentPlansCreate = defineOperation({
  id: 'installmentPlans.create',
  method: 'POST',
  path: '/api/v1/installment-plans',
  summary: "Split an invoice's balance into parts with due dates",
  scope: 'write:invoices',
  write: true,
  status: 201,
  body: z.strictObject({
    invoiceId: idSchema('inv'),
    parts: z.array(z.strictObject({ amount: positiveMoneyInput, dueDate: dateInput })).check(
      z.minLength(1),
      z.maxLength(60),
      z.refine((p) => new Set(p.map((x) => x.amount.currency)).size === 1, 'one currency per plan'),
      z.refine(
        (p) => p.every((x, i) => i === 0 || (p[i - 1]?.dueDate ?? '') < x.dueDate),
        'due dates must be strictly increasing',
      ),
    ),
  }),
  response: installmentPlan,
});

/**
 * Get an installment plan (`installmentPlans.get`).
 *
 * @example
 * await client.installmentPlans.get({ planId });
 */
export const installmentPlansGet = defineOperation({
  id: 'installmentPlans.get',
  method: 'GET',
  path: '/api/v1/installment-plans/{planId}',
  summary: 'Get an installment plan',
  scope: 'read:invoices',
  write: false,
  status: 200,
  params: z.strictObject({ planId: idSchema('ipl') }),
  response: installmentPlan,
});

/**
 * Operations on installment plans.
 *
 * @example
 * installmentPlanOperations.create.scope; // 'write:invoices'
 */
export const installmentPlanOperations = {
  create: installmentPlansCreate,
  get: installmentPlansGet,
} as const;

/**
 * An installment plan.
 *
 * @example
 * const plan: InstallmentPlan = await client.installmentPlans.get({ planId });
 */
export type InstallmentPlan = z.infer<typeof installmentPlan>;
