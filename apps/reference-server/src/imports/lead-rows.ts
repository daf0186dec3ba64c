/**
 * The `leads` and `settlement_lines` import kinds. A lead is attributed
 * (source, campaign, agent) and de-duplicated on its E.164 phone and its
 * lower-cased email, against earlier rows of the same file and against the
 * leads already stored (unique blind indexes, written with `ON CONFLICT DO
 * NOTHING` so a duplicate never aborts the transaction). Its name, phone,
 * email and notes are stored encrypted (src/leads/pii.ts). Settlement lines
 * are stored as they come, once per settlement and line reference;
 * reconciling them is not this module's job.
 */
import { newId } from '@clinicbridge/sdk/contract';
import * as z from 'zod';
import { keyRingOf } from '../crypto/keys.ts';
import { type LeadRecord, sealLead } from '../leads/pii.ts';
import { toE164, toMinorUnits } from './cells.ts';
import { type Column, firstSeen, type RowApplier, type RowReject } from './row-kind.ts';

/**
 * Columns of a `leads` file.
 *
 * @example
 * leadColumns.filter((c) => c.personal).map((c) => c.name); // ['name', 'phone', 'email']
 */
export const leadColumns: readonly Column[] = [
  { name: 'name', aliases: ['full_name', 'fullname', 'lead_name'], personal: true },
  { name: 'phone', aliases: ['phone_number', 'mobile', 'telephone', 'msisdn'], personal: true },
  { name: 'email', aliases: ['email_address', 'e_mail'], personal: true },
  { name: 'source', aliases: ['channel', 'utm_source', 'lead_source'], required: true },
  { name: 'campaign', aliases: ['campaign_name', 'utm_campaign'] },
  { name: 'agentRef', aliases: ['agent_ref', 'agent', 'agent_id'] },
  { name: 'countryCode', aliases: ['country_code', 'country'] },
  { name: 'notes', aliases: ['note', 'comments'], personal: true },
  { name: 'createdAt', aliases: ['created_at', 'created', 'lead_date', 'date'] },
];

/**
 * Columns of a `settlement_lines` file.
 *
 * @example
 * settlementLineColumns.map((c) => c.name).includes('amount'); // true
 */
export const settlementLineColumns: readonly Column[] = [
  {
    name: 'settlementRef',
    aliases: ['settlement_ref', 'settlement_id', 'payout_id', 'batch'],
    required: true,
  },
  {
    name: 'lineRef',
    aliases: ['line_ref', 'line_id', 'transaction_id', 'transaction_ref'],
    required: true,
  },
  {
    name: 'occurredAt',
    aliases: ['occurred_at', 'date', 'transaction_date', 'booked_at'],
    required: true,
  },
  { name: 'type', aliases: ['line_type', 'kind'] },
  { name: 'amount', aliases: ['gross', 'gross_amount'], required: true },
  { name: 'fee', aliases: ['fees', 'fee_amount'] },
  { name: 'currency', aliases: ['currency_code', 'ccy'], required: true },
  { name: 'paymentRef', aliases: ['payment_ref', 'payment_id', 'reference'] },
  { name: 'description', aliases: ['memo', 'details'] },
];

/**
 * Schema of a `leads` row: a phone or an email is required.
 *
 * @example
 * leadSchema.parse({ phone: '+90 532 123 45 67', source: 'agent' });
 */
export const leadSchema = z
  .strictObject({
    name: z.optional(z.string().max(200)),
    phone: z.optional(z.string().max(40)),
    email: z.optional(z.email().max(254)),
    source: z.string().min(1).max(100),
    campaign: z.optional(z.string().max(200)),
    agentRef: z.optional(z.string().max(100)),
    countryCode: z.optional(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')),
    notes: z.optional(z.string().max(1000)),
    /** When the lead came in at its source (an XLSX date cell reads as one); the import's time when absent. */
    createdAt: z.optional(
      z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
        error: 'must be a date (YYYY-MM-DD) or an ISO 8601 timestamp',
      }),
    ),
  })
  .refine((row) => row.phone !== undefined || row.email !== undefined, {
    message: 'a lead needs a phone or an email',
    path: ['phone'],
  });

/**
 * Schema of a `settlement_lines` row (amounts are read with the currency when applied).
 *
 * @example
 * settlementLineSchema.parse({ settlementRef: 'po_1', lineRef: 'tx_1', occurredAt: '2026-11-02', amount: '-12.50', currency: 'EUR' });
 */
export const settlementLineSchema = z.strictObject({
  settlementRef: z.string().min(1).max(100),
  lineRef: z.string().min(1).max(100),
  occurredAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'must be a date (YYYY-MM-DD) or an ISO 8601 timestamp',
  }),
  type: z.optional(z.string().max(50)),
  amount: z.string().max(32),
  fee: z.optional(z.string().max(32)),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  paymentRef: z.optional(z.string().max(100)),
  description: z.optional(z.string().max(500)),
});

type LeadRow = z.infer<typeof leadSchema>;
type SettlementLineRow = z.infer<typeof settlementLineSchema>;

const masked = (value: string) => `${Array.from(value)[0] ?? ''}***`;

/**
 * Applies one `leads` row, or rejects it as a duplicate (of an earlier row, or of a stored lead).
 *
 * @example
 * const rejects = await applyLeadRow(trx, change, input, { row: 2, seen: new Map() });
 */
export const applyLeadRow: RowApplier = async (db, change, input, at) => {
  const row = input as LeadRow;
  const reject = (column: string, value: string, message: string, code: string): RowReject[] => [
    { row: at.row, column, value: masked(value), message, code, severity: 'error' },
  ];
  const phone = row.phone === undefined ? null : toE164(row.phone);
  if (row.phone !== undefined && phone === null) {
    return reject(
      'phone',
      row.phone,
      'phone must be in international form with its country code (+90 532 …)',
      'invalid_format',
    );
  }
  const email = row.email?.toLowerCase() ?? null;
  for (const [column, key] of [
    ['phone', phone],
    ['email', email],
  ] as const) {
    if (key === null) continue;
    const earlier = firstSeen(at, column, key);
    if (earlier !== undefined) {
      return reject(
        column,
        key,
        `the same ${column} as row ${earlier}; the lead is kept once`,
        'duplicate',
      );
    }
  }
  const ring = keyRingOf(db);
  const record: LeadRecord = {
    id: newId('lea'),
    tenant_id: change.tenantId,
    name: row.name ?? null,
    phone,
    email,
    source: row.source,
    campaign: row.campaign ?? null,
    agent_ref: row.agentRef ?? null,
    country_code: row.countryCode ?? null,
    notes: row.notes ?? null,
    created_at:
      row.createdAt === undefined
        ? change.now
        : new Date(row.createdAt.length === 10 ? `${row.createdAt}T00:00:00Z` : row.createdAt),
  };
  const sealed = sealLead(ring, record);
  // Leads stored in clear before encryption have no blind index yet: matched on their columns.
  const legacy = await db
    .selectFrom('leads')
    .select('id')
    .where('tenant_id', '=', change.tenantId)
    .where('pii_kid', 'is', null)
    .where((eb) =>
      eb.or([
        ...(phone !== null ? [eb('phone', '=', phone)] : []),
        ...(email !== null ? [eb('email', '=', email)] : []),
      ]),
    )
    .executeTakeFirst();
  const saved = legacy
    ? undefined
    : await db
        .insertInto('leads')
        .values({ ...record, ...sealed })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
  if (!saved) {
    const column = phone !== null ? 'phone' : 'email';
    return reject(
      column,
      phone ?? email ?? '',
      `a lead with this ${phone !== null && email !== null ? 'phone or email' : column} is already stored`,
      'duplicate',
    );
  }
  return [];
};

/**
 * Applies one `settlement_lines` row; a line already stored (same settlement and line reference) is a duplicate.
 *
 * @example
 * const rejects = await applySettlementLineRow(trx, change, input, { row: 2, seen: new Map() });
 */
export const applySettlementLineRow: RowApplier = async (db, change, input, at) => {
  const row = input as SettlementLineRow;
  const amount = toMinorUnits(row.amount, row.currency);
  const fee = row.fee === undefined ? 0 : toMinorUnits(row.fee, row.currency);
  const rejects: RowReject[] = [];
  const decimals = `an amount with at most the decimals ${row.currency} has (e.g. -12.50)`;
  if (amount === null) {
    rejects.push({
      row: at.row,
      column: 'amount',
      value: row.amount,
      message: `amount must be ${decimals}`,
      code: 'invalid_format',
      severity: 'error',
    });
  }
  if (fee === null) {
    rejects.push({
      row: at.row,
      column: 'fee',
      value: row.fee ?? '',
      message: `fee must be ${decimals}`,
      code: 'invalid_format',
      severity: 'error',
    });
  }
  if (amount === null || fee === null) return rejects;
  const saved = await db
    .insertInto('settlement_lines')
    .values({
      id: newId('stl'),
      tenant_id: change.tenantId,
      settlement_ref: row.settlementRef,
      line_ref: row.lineRef,
      occurred_at: new Date(
        row.occurredAt.length === 10 ? `${row.occurredAt}T00:00:00Z` : row.occurredAt,
      ),
      type: row.type ?? null,
      amount,
      fee,
      currency: row.currency,
      payment_ref: row.paymentRef ?? null,
      description: row.description ?? null,
      created_at: change.now,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!saved) {
    return [
      {
        row: at.row,
        column: 'lineRef',
        value: row.lineRef,
        message: 'this settlement line (settlementRef and lineRef) is already stored',
        code: 'duplicate',
        severity: 'error',
      },
    ];
  }
  return [];
};
