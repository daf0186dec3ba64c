/**
 * The rows of each export kind, in a fixed column order and a total order
 * (time, then id), so the same data always gives the same bytes. Exports
 * carry no patient names or contact details; appointment notes stay out.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { Cell, ExportColumn } from './csv.ts';

/**
 * An export kind listing records (a row per record).
 *
 * @example
 * const kind: RecordKind = 'payments';
 */
export type RecordKind = 'appointments' | 'invoices' | 'payments' | 'audit_events';

/**
 * The period and tenant of an export; `to` is exclusive.
 *
 * @example
 * const scope: ExportScope = { tenantId, from: new Date('2026-11-01'), to: new Date('2026-12-01') };
 */
export interface ExportScope {
  tenantId: string;
  from: Date | null;
  to: Date | null;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * Columns of each kind.
 *
 * @example
 * exportColumns.payments.map((c) => c.name);
 */
export const exportColumns: Record<RecordKind, readonly ExportColumn[]> = {
  appointments: [
    { name: 'id', type: 'id' },
    { name: 'patientId', type: 'id' },
    { name: 'service', type: 'text' },
    { name: 'clinicianRef', type: 'text' },
    { name: 'location', type: 'text' },
    { name: 'startsAt', type: 'timestamp' },
    { name: 'endsAt', type: 'timestamp' },
    { name: 'status', type: 'text' },
    { name: 'cancellationReason', type: 'text' },
    { name: 'createdAt', type: 'timestamp' },
  ],
  invoices: [
    { name: 'id', type: 'id' },
    { name: 'patientId', type: 'id' },
    { name: 'visitId', type: 'id' },
    { name: 'status', type: 'text' },
    { name: 'currency', type: 'text' },
    { name: 'subtotal', type: 'money' },
    { name: 'tax', type: 'money' },
    { name: 'total', type: 'money' },
    { name: 'amountPaid', type: 'money' },
    { name: 'amountRefunded', type: 'money' },
    { name: 'dueDate', type: 'text' },
    { name: 'createdAt', type: 'timestamp' },
  ],
  payments: [
    { name: 'type', type: 'text' },
    { name: 'id', type: 'id' },
    { name: 'paymentId', type: 'id' },
    { name: 'invoiceId', type: 'id' },
    { name: 'amount', type: 'money' },
    { name: 'currency', type: 'text' },
    { name: 'method', type: 'text' },
    { name: 'status', type: 'text' },
    { name: 'reference', type: 'text' },
    { name: 'createdAt', type: 'timestamp' },
  ],
  audit_events: [
    { name: 'id', type: 'id' },
    { name: 'occurredAt', type: 'timestamp' },
    { name: 'actorType', type: 'text' },
    { name: 'actorId', type: 'id' },
    { name: 'action', type: 'text' },
    { name: 'entityType', type: 'text' },
    { name: 'entityId', type: 'id' },
    { name: 'requestId', type: 'id' },
    { name: 'metadata', type: 'text' },
  ],
};

type Timed = { at: Date; id: string; cells: Cell[] };

/**
 * The rows of one kind in the period, ordered by time then id, as cells in column order.
 *
 * @example
 * const rows = await exportRows(db, 'payments', { tenantId, from, to: null });
 */
export async function exportRows(
  db: Kysely<DB>,
  kind: RecordKind,
  scope: ExportScope,
): Promise<Cell[][]> {
  const { from, to } = scope;
  let rows: Timed[];
  switch (kind) {
    case 'appointments': {
      const found = await db
        .selectFrom('appointments')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .$if(from !== null, (q) => q.where('created_at', '>=', from as Date))
        .$if(to !== null, (q) => q.where('created_at', '<', to as Date))
        .execute();
      rows = found.map((r) => ({
        at: r.created_at,
        id: r.id,
        cells: [
          r.id,
          r.patient_id,
          r.service,
          r.clinician_ref,
          r.location,
          iso(r.starts_at),
          iso(r.ends_at),
          r.status,
          r.cancellation_reason,
          iso(r.created_at),
        ],
      }));
      break;
    }
    case 'invoices': {
      const found = await db
        .selectFrom('invoices')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .$if(from !== null, (q) => q.where('created_at', '>=', from as Date))
        .$if(to !== null, (q) => q.where('created_at', '<', to as Date))
        .execute();
      rows = found.map((r) => ({
        at: r.created_at,
        id: r.id,
        cells: [
          r.id,
          r.patient_id,
          r.visit_id,
          r.status,
          r.currency,
          Number(r.subtotal),
          Number(r.tax),
          Number(r.total),
          Number(r.amount_paid),
          Number(r.amount_refunded),
          r.due_date === null ? null : String(r.due_date),
          iso(r.created_at),
        ],
      }));
      break;
    }
    case 'payments': {
      const payments = await db
        .selectFrom('payments')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .$if(from !== null, (q) => q.where('created_at', '>=', from as Date))
        .$if(to !== null, (q) => q.where('created_at', '<', to as Date))
        .execute();
      const refunds = await db
        .selectFrom('refunds')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .$if(from !== null, (q) => q.where('created_at', '>=', from as Date))
        .$if(to !== null, (q) => q.where('created_at', '<', to as Date))
        .execute();
      rows = [
        ...payments.map((r) => ({
          at: r.created_at,
          id: r.id,
          cells: [
            'payment',
            r.id,
            r.id,
            r.invoice_id,
            Number(r.amount),
            r.currency,
            r.method,
            r.status,
            r.external_ref,
            iso(r.created_at),
          ] as Cell[],
        })),
        // Refunds are negative amounts: money that left.
        ...refunds.map((r) => ({
          at: r.created_at,
          id: r.id,
          cells: [
            'refund',
            r.id,
            r.payment_id,
            r.invoice_id,
            -Number(r.amount),
            r.currency,
            null,
            r.status,
            r.reason,
            iso(r.created_at),
          ] as Cell[],
        })),
      ];
      break;
    }
    case 'audit_events': {
      const found = await db
        .selectFrom('audit_events')
        .selectAll()
        .where('tenant_id', '=', scope.tenantId)
        .$if(from !== null, (q) => q.where('occurred_at', '>=', from as Date))
        .$if(to !== null, (q) => q.where('occurred_at', '<', to as Date))
        .execute();
      rows = found.map((r) => ({
        at: r.occurred_at,
        id: r.id,
        cells: [
          r.id,
          iso(r.occurred_at),
          r.actor_type,
          r.actor_id,
          r.action,
          r.entity_type,
          r.entity_id,
          r.request_id,
          JSON.stringify(r.metadata),
        ],
      }));
      break;
    }
  }
  rows.sort((a, b) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return rows.map((r) => r.cells);
}
