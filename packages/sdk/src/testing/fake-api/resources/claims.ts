/**
 * Claims in the fake API. The fake talks to no payer: a pre-authorise,
 * submit or resubmit request is accepted and stays pending, exactly as on
 * a server with no insurance provider configured; tests move a claim on by
 * updating `api.state.tenant(id).claims`. Everything a partner does
 * directly — create, withdraw, history, re-delivery, itemised invoice — is
 * the server's behaviour.
 */
import {
  type Claim,
  type ClaimAction,
  claimActionsFrom,
  claimOperations,
  itemisedInvoiceCsv,
  itemisedInvoiceFhirClaim,
  MAX_CLAIM_RESUBMISSIONS,
  newId,
  nextClaimStatus,
} from '../../../contract/index.ts';
import { type BoundHandler, defineHandler, type OperationContext } from '../context.ts';
import { filterRows, findOr404 } from '../lookup.ts';
import { paginate } from '../pagination.ts';
import { ApiProblem } from '../problem.ts';
import { base64Bytes, sha256Hex } from '../sha256.ts';

type Documents = {
  kind: Claim['documents'][number]['kind'];
  contentType: string;
  title: string;
  data: string;
}[];

const described = (documents: Documents | undefined): Claim['documents'] =>
  (documents ?? []).map((d) => {
    const bytes = base64Bytes(d.data);
    return {
      kind: d.kind,
      contentType: d.contentType,
      title: d.title,
      size: bytes.byteLength,
      sha256: sha256Hex(bytes),
    };
  });

const eventData = (claim: Claim, extra: Record<string, unknown> = {}) => ({
  claimId: claim.id,
  patientId: claim.patientId,
  invoiceId: claim.invoiceId,
  insurer: claim.payer.payerRef,
  amount: claim.amount,
  status: claim.status,
  ...extra,
});

function request(ctx: OperationContext<typeof claimOperations.submit>, action: ClaimAction): Claim {
  const current = findOr404(ctx.tenant.claims, ctx.params.claimId, 'claim');
  if (current.pendingAction !== null) {
    throw new ApiProblem(
      'invalid_state_transition',
      `a ${current.pendingAction} request is already in progress`,
    );
  }
  if (!claimActionsFrom[action].includes(current.status)) {
    throw new ApiProblem(
      'invalid_state_transition',
      `a ${current.status} claim cannot be asked to ${action}`,
    );
  }
  if (action === 'resubmit' && current.resubmissions >= MAX_CLAIM_RESUBMISSIONS) {
    throw new ApiProblem(
      'invalid_state_transition',
      'this claim was resubmitted as often as allowed',
    );
  }
  return ctx.tenant.claims.update({ ...current, pendingAction: action, updatedAt: ctx.now });
}

/**
 * Handlers of the claim operations.
 *
 * @example
 * const byId = new Map(claimHandlers.map((h) => [h.op.id, h]));
 */
export const claimHandlers: BoundHandler[] = [
  defineHandler(claimOperations.create, (ctx) => {
    const b = ctx.body;
    const invoice = findOr404(ctx.tenant.invoices, b.invoiceId, 'invoice');
    const claim: Claim = {
      id: newId('clm'),
      patientId: invoice.patientId,
      invoiceId: invoice.id,
      payer: b.payer,
      status: 'draft',
      pendingAction: null,
      eligibility: 'unknown',
      diagnoses: b.diagnoses ?? [],
      documents: described(b.documents),
      amount: invoice.total,
      approvedAmount: null,
      paidAmount: null,
      reasonCodes: [],
      preauthorizationRef: null,
      remittanceRef: null,
      resubmissions: 0,
      lastError: null,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    };
    ctx.tenant.claims.insert(claim);
    ctx.emit('claim.created', { type: 'claim', id: claim.id }, eventData(claim));
    return { body: claim };
  }),
  defineHandler(claimOperations.get, (ctx) => ({
    body: findOr404(ctx.tenant.claims, ctx.params.claimId, 'claim'),
  })),
  defineHandler(claimOperations.list, (ctx) => {
    const { limit, cursor, patientId, status } = ctx.query;
    const rows = filterRows(ctx.tenant.claims, { patientId, status });
    return { body: paginate(ctx.op.id, rows, { limit, cursor }, 'asc') };
  }),
  defineHandler(claimOperations.preauthorize, (ctx) => ({
    body: request(ctx as never, 'preauthorize'),
  })),
  defineHandler(claimOperations.submit, (ctx) => ({ body: request(ctx, 'submit') })),
  defineHandler(claimOperations.resubmit, (ctx) => {
    const claim = request(ctx as never, 'resubmit');
    const updated = ctx.tenant.claims.update({
      ...claim,
      ...(ctx.body.diagnoses ? { diagnoses: ctx.body.diagnoses } : {}),
      documents: [...claim.documents, ...described(ctx.body.documents)],
    });
    return { body: updated };
  }),
  defineHandler(claimOperations.withdraw, (ctx) => {
    const current = findOr404(ctx.tenant.claims, ctx.params.claimId, 'claim');
    const next =
      current.pendingAction === null ? nextClaimStatus(current.status, 'claim.withdrawn') : null;
    if (!next) {
      throw new ApiProblem(
        'invalid_state_transition',
        `a ${current.status} claim cannot be withdrawn now`,
      );
    }
    const updated = ctx.tenant.claims.update({ ...current, status: next, updatedAt: ctx.now });
    ctx.emit('claim.withdrawn', { type: 'claim', id: updated.id }, eventData(updated));
    return { body: updated };
  }),
  defineHandler(claimOperations.events, (ctx) => {
    findOr404(ctx.tenant.claims, ctx.params.claimId, 'claim');
    const data = ctx.tenant.events
      .values()
      .filter((e) => e.entityType === 'claim' && e.entityId === ctx.params.claimId);
    return { body: { data } };
  }),
  defineHandler(claimOperations.redeliver, (ctx) => {
    findOr404(ctx.tenant.claims, ctx.params.claimId, 'claim');
    const endpoint = findOr404(
      ctx.tenant.webhookEndpoints,
      ctx.body.endpointId,
      'webhook endpoint',
    );
    const events = ctx.tenant.events
      .values()
      .filter((e) => e.entityType === 'claim' && e.entityId === ctx.params.claimId);
    for (const event of events) {
      const existing = ctx.tenant.deliveries
        .values()
        .find((d) => d.eventId === event.id && d.endpointId === endpoint.id);
      if (existing) {
        ctx.tenant.deliveries.update({ ...existing, status: 'pending', nextAttemptAt: ctx.now });
      } else {
        ctx.tenant.deliveries.insert({
          id: newId('dlv'),
          eventId: event.id,
          eventType: event.type,
          endpointId: endpoint.id,
          status: 'pending',
          attemptCount: 0,
          nextAttemptAt: ctx.now,
          lastAttemptAt: null,
          createdAt: ctx.now,
          attempts: [],
        });
      }
    }
    return { body: { scheduled: events.length, eventIds: events.map((e) => e.id) } };
  }),
  defineHandler(claimOperations.itemisedInvoice, (ctx) => {
    const claim = findOr404(ctx.tenant.claims, ctx.params.claimId, 'claim');
    const invoice = findOr404(ctx.tenant.invoices, claim.invoiceId, 'invoice');
    const format = ctx.query.format ?? 'fhir';
    if (format === 'csv') {
      return {
        body: {
          format,
          contentType: 'text/csv; charset=utf-8',
          filename: `${claim.id}-itemised.csv`,
          content: itemisedInvoiceCsv(claim, invoice),
        },
      };
    }
    return {
      body: {
        format,
        contentType: 'application/fhir+json',
        filename: `${claim.id}-claim.json`,
        content: JSON.stringify(
          itemisedInvoiceFhirClaim(claim, invoice, ctx.tenant.id, claim.createdAt),
        ),
      },
    };
  }),
];
