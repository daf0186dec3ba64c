/**
 * Shipments in the fake API. The fake talks to no shipping provider: a
 * shipment is accepted `manual`, exactly as the server answers without a
 * configured provider, with its `shipment.created` event. Tests move one
 * on by updating `api.state.tenant(id).shipments`.
 */
import { newId, type Shipment, shipmentOperations } from '../../../contract/index.ts';
import { type BoundHandler, defineHandler } from '../context.ts';
import { findOr404 } from '../lookup.ts';

/**
 * Handlers of the shipment operations.
 *
 * @example
 * const byId = new Map(shipmentHandlers.map((h) => [h.op.id, h]));
 */
export const shipmentHandlers: BoundHandler[] = [
  defineHandler(shipmentOperations.create, (ctx) => {
    const shipment: Shipment = {
      id: newId('shp'),
      caseId: ctx.body.caseId,
      contents: ctx.body.contents,
      status: 'manual',
      provider: 'manual',
      carrier: null,
      service: null,
      trackingCode: null,
      labelUrl: null,
      amountMinor: null,
      currency: null,
      estimatedDelivery: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.shipments.insert(shipment);
    ctx.emit(
      'shipment.created',
      { type: 'shipment', id: shipment.id },
      {
        shipmentId: shipment.id,
        caseId: shipment.caseId,
        contents: shipment.contents,
        status: 'manual',
        previousStatus: null,
        carrier: null,
        trackingCode: null,
      },
    );
    return { body: shipment };
  }),
  defineHandler(shipmentOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.shipments, ctx.params.shipmentId, 'shipment'),
  })),
];
