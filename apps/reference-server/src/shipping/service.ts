/**
 * Dispatching medication and documents for a case: rates from the shipping
 * provider, the cheapest (or the requested carrier's) bought at once, and
 * the tracking status followed by webhook and poll. The addresses go to
 * the provider for the rates and are not kept. A provider that is absent,
 * down or behind an open breaker makes the shipment `manual`, with a task
 * on /ops so the patient still gets the parcel. Events carry ids, the kind
 * of contents, carrier, tracking code and status only.
 */
import {
  FINAL_SHIPMENT_STATES,
  isProviderError,
  type ManualTaskSink,
  type Shipping,
  type TrackingStatus,
} from '@clinicbridge/adapters';
import {
  newId,
  type OperationBody,
  type Shipment,
  type ShipmentStatus,
  type shipmentOperations,
} from '@clinicbridge/sdk/contract';
import type { Kysely } from 'kysely';
import type { DB, Row } from '../db/schema.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { insertOwned } from '../kernel/owned.ts';
import { ApiError } from '../kernel/problem.ts';
import { recordChange } from '../kernel/record-change.ts';
import { requireOwned } from '../kernel/require-owned.ts';
import { callForTenant } from '../providers/index.ts';
import type { ShippingConfig } from './config.ts';

/**
 * What the service needs besides the database.
 *
 * @example
 * const deps: ShippingDeps = { shipping: providers.shipping, manualTasks: providers.manualTasks, config };
 */
export interface ShippingDeps {
  shipping: Shipping | undefined;
  manualTasks: ManualTaskSink;
  config: ShippingConfig;
}

type ShipmentRow = Row<'shipments'>;
type CreateBody = OperationBody<typeof shipmentOperations.create>;

const FINAL: readonly string[] = FINAL_SHIPMENT_STATES;

function toShipment(row: ShipmentRow): Shipment {
  return {
    id: row.id as Shipment['id'],
    caseId: row.case_id,
    contents: row.contents,
    status: row.status,
    provider: row.provider,
    carrier: row.carrier,
    service: row.service,
    trackingCode: row.tracking_code,
    labelUrl: row.label_url,
    amountMinor: row.amount_minor === null ? null : Number(row.amount_minor),
    currency: row.currency,
    estimatedDelivery: row.estimated_delivery,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function eventData(row: ShipmentRow, previousStatus: ShipmentStatus | null) {
  return {
    shipmentId: row.id as Shipment['id'],
    caseId: row.case_id,
    contents: row.contents,
    status: row.status,
    previousStatus,
    carrier: row.carrier,
    trackingCode: row.tracking_code,
  };
}

async function manualTask(
  db: Kysely<DB>,
  deps: ShippingDeps,
  change: ChangeContext,
  row: { id: string; case_id: string; contents: string },
  provider: string,
  reason: string,
): Promise<string> {
  const id = `mt_${crypto.randomUUID()}`;
  await callForTenant(
    change.tenantId,
    () =>
      deps.manualTasks.record({
        id,
        kind: 'shipping',
        provider,
        operation: 'shipping.createShipment',
        subjectRef: row.id,
        summary: `Dispatch the ${row.contents} of case ${row.case_id} (shipment ${row.id}) by hand; the patient's address is in their record.`,
        reason,
        details: { caseId: row.case_id, contents: row.contents },
        createdAt: change.now.toISOString(),
      }),
    db,
  );
  return id;
}

/**
 * Dispatches a parcel for a case: buys a label from the provider, or makes
 * the shipment `manual` with a task for the operators.
 *
 * @example
 * const shipment = await createShipment(trx, change, deps, { caseId, contents: 'medication', from, to, parcel });
 */
export async function createShipment(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: ShippingDeps,
  body: CreateBody,
): Promise<Shipment> {
  const id = newId('shp');
  const base: ShipmentRow = {
    id,
    tenant_id: change.tenantId,
    case_id: body.caseId,
    contents: body.contents,
    status: 'manual',
    provider: deps.shipping?.provider ?? 'manual',
    provider_shipment_id: null,
    tracker_id: null,
    carrier: null,
    service: null,
    tracking_code: null,
    label_url: null,
    amount_minor: null,
    currency: null,
    estimated_delivery: null,
    manual_task_id: null,
    next_poll_at: null,
    created_at: change.now,
    updated_at: change.now,
  };
  const row = await buy(db, change, deps, body, base);
  await insertOwned(db, 'shipments', row);
  await recordChange(db, change, {
    action: 'shipment.created',
    entityType: 'shipment',
    entityId: id,
    audit: {
      caseId: row.case_id,
      contents: row.contents,
      status: row.status,
      provider: row.provider,
    },
    event: { type: 'shipment.created', data: eventData(row, null) },
  });
  return toShipment(row);
}

/**
 * Rates and purchase; provider calls (and the manual tasks and audit rows
 * they leave) run in the request's transaction, so a single-connection
 * database is never asked for a second one.
 */
async function buy(
  db: Kysely<DB>,
  change: ChangeContext,
  deps: ShippingDeps,
  body: CreateBody,
  base: ShipmentRow,
): Promise<ShipmentRow> {
  const shipping = deps.shipping;
  if (!shipping) {
    const task = await manualTask(
      db,
      deps,
      change,
      base,
      'manual',
      'shipping_provider_not_configured',
    );
    return { ...base, manual_task_id: task };
  }
  try {
    const quote = await callForTenant(
      change.tenantId,
      () =>
        shipping.rates({ shipmentRef: base.id, from: body.from, to: body.to, parcel: body.parcel }),
      db,
    );
    const wanted = body.carrier?.toLowerCase();
    const rate = quote.rates
      .filter((r) => wanted === undefined || r.carrier.toLowerCase() === wanted)
      .toSorted((a, b) => a.amountMinor - b.amountMinor)[0];
    if (!rate) {
      throw new ApiError(
        'unprocessable',
        wanted === undefined
          ? 'The provider offered no rate for this parcel and these addresses.'
          : 'The provider offered no rate of this carrier; leave carrier out for the cheapest.',
      );
    }
    const result = await callForTenant(
      change.tenantId,
      () =>
        shipping.createShipment({
          shipmentRef: base.id,
          quoteId: quote.quoteId,
          rateId: rate.rateId,
        }),
      db,
    );
    if (result.status === 'manual') return { ...base, manual_task_id: result.manualTaskId };
    return {
      ...base,
      status: result.state,
      provider_shipment_id: result.providerShipmentId,
      tracker_id: result.trackerId,
      carrier: result.carrier,
      service: result.service,
      tracking_code: result.trackingCode,
      label_url: result.labelUrl,
      amount_minor: result.amountMinor,
      currency: result.currency,
      next_poll_at: FINAL.includes(result.state)
        ? null
        : new Date(change.now.getTime() + deps.config.SHIPPING_POLL_INTERVAL),
    };
  } catch (error) {
    if (!isProviderError(error)) throw error;
    if (error.transient) {
      const reason = error.circuitOpen ? 'circuit_open' : error.code;
      const task = await manualTask(db, deps, change, base, shipping.provider, reason);
      return { ...base, manual_task_id: task };
    }
    if (error.code === 'invalid_request') {
      throw new ApiError(
        'unprocessable',
        'The shipping provider refused these addresses or this parcel; check them and retry.',
      );
    }
    throw new ApiError(
      'service_unavailable',
      'The shipping provider refused the call; retry later.',
    );
  }
}

/**
 * A shipment of the tenant.
 *
 * @example
 * const shipment = await getShipment(db, tenantId, 'shp_…');
 */
export async function getShipment(
  db: Kysely<DB>,
  tenantId: string,
  shipmentId: string,
): Promise<Shipment> {
  return toShipment(await requireOwned(db, 'shipments', tenantId, shipmentId));
}

/**
 * Applies a tracking status to the shipment of its tracker (locked): a new
 * status is stored with its audit row and `shipment.status_changed`; the
 * same status, an unknown tracker or a shipment already in a final state
 * changes nothing (a replayed or late webhook cannot move a delivered
 * parcel back). Returns whether the status changed.
 *
 * @example
 * await db.transaction().execute((trx) => applyTracking(trx, status, now, pollInterval));
 */
export async function applyTracking(
  db: Kysely<DB>,
  status: TrackingStatus,
  now: Date,
  pollIntervalMs: number,
): Promise<boolean> {
  const row = await db
    .selectFrom('shipments')
    .selectAll()
    .where('tracker_id', '=', status.trackerId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return false;
  const final = FINAL.includes(row.status);
  const nextPoll = FINAL.includes(status.state) ? null : new Date(now.getTime() + pollIntervalMs);
  if (final || row.status === status.state) {
    await db
      .updateTable('shipments')
      .set({ next_poll_at: final ? null : nextPoll })
      .where('id', '=', row.id)
      .execute();
    return false;
  }
  const updated: ShipmentRow = {
    ...row,
    status: status.state,
    estimated_delivery: status.estimatedDelivery,
    next_poll_at: nextPoll,
    updated_at: now,
  };
  await db
    .updateTable('shipments')
    .set({
      status: updated.status,
      estimated_delivery: updated.estimated_delivery,
      next_poll_at: updated.next_poll_at,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .execute();
  await recordChange(
    db,
    {
      tenantId: row.tenant_id,
      actor: { type: 'system', id: 'shipping-tracking' },
      requestId: null,
      now,
    },
    {
      action: 'shipment.status_changed',
      entityType: 'shipment',
      entityId: row.id,
      audit: { status: updated.status, previousStatus: row.status },
      event: { type: 'shipment.status_changed', data: eventData(updated, row.status) },
    },
  );
  return true;
}

const POLL_BATCH = 50;

/**
 * The poll job: reads the tracker of every shipment due and applies its
 * status; a failed read is tried again after the poll interval.
 *
 * @example
 * const job: BusJob = (now) => pollShipments(db, deps, now);
 */
export async function pollShipments(
  db: Kysely<DB>,
  deps: ShippingDeps,
  now: Date,
): Promise<number> {
  const shipping = deps.shipping;
  if (!shipping) return 0;
  const interval = deps.config.SHIPPING_POLL_INTERVAL;
  const due = await db
    .selectFrom('shipments')
    .select(['id', 'tenant_id', 'tracker_id'])
    .where('next_poll_at', '<=', now)
    .where('tracker_id', 'is not', null)
    .orderBy('next_poll_at')
    .limit(POLL_BATCH)
    .execute();
  for (const row of due) {
    const trackerId = row.tracker_id as string;
    try {
      const status = await callForTenant(row.tenant_id, () => shipping.track({ trackerId }));
      await db.transaction().execute((trx) => applyTracking(trx, status, now, interval));
    } catch (error) {
      if (!isProviderError(error)) throw error;
      await db
        .updateTable('shipments')
        .set({ next_poll_at: new Date(now.getTime() + interval) })
        .where('id', '=', row.id)
        .execute();
    }
  }
  return due.length;
}
