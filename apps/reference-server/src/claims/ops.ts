/**
 * The operator page of a claim, `/ops/claims?claim=clm_…`: its status and
 * whole event history, and a form that re-delivers that history to one of
 * the tenant's webhook endpoints for a dispute. Behind the operator's
 * HTTP Basic and the same-origin check of every `/ops` action; every value
 * on the page is HTML-escaped by Hono's `html` helper.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { recordOperatorAction } from '../console/audit.ts';
import { operatorConfig } from '../console/config.ts';
import { requireOperator } from '../console/feature.ts';
import { opsHead, renderOpsErrorPage, timeAgo } from '../console/pages/layout.ts';
import { originPolicy, sameOrigin } from '../console/same-origin.ts';
import { type AppContext, readSection } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { sendPage } from '../http/page.ts';
import { claimHistory, redeliverClaim } from './history.ts';

const STYLE = 'select,input{font:inherit;max-width:100%}';

const CLAIM_ID = /^clm_[0-9A-Za-z]{16,64}$/;

/**
 * Mounts `/ops/claims`.
 *
 * @example
 * mountClaimOpsRoutes(app, context);
 */
export function mountClaimOpsRoutes(app: Hono<AppEnv>, context: AppContext): void {
  const { db, now } = context;
  const guard = requireOperator(readSection(context.config, operatorConfig), context.now);
  app.use('/ops/claims', guard);
  app.use('/ops/claims/*', guard, sameOrigin(originPolicy(context.config)));

  const page = async (c: Context<AppEnv>) => {
    c.header('Cache-Control', 'no-store');
    const claimId = c.req.query('claim')?.trim() ?? '';
    const key = c.req.query('notice');
    const notice =
      key === 'redelivered'
        ? html`<p class="notice" role="status">The claim’s events are being delivered again.</p>`
        : key === 'endpoint_disabled'
          ? html`<p class="error" role="alert">Not re-delivered: that webhook endpoint is disabled, so nothing would be sent. Ask the clinic to enable it again (PATCH /api/v1/webhook-endpoints/{id} with "enabled": true), or pick an enabled endpoint.</p>`
          : '';
    const claim = CLAIM_ID.test(claimId)
      ? await db
          .selectFrom('claims')
          .innerJoin('tenants', 'tenants.id', 'claims.tenant_id')
          .select([
            'claims.id',
            'claims.tenant_id',
            'claims.status',
            'claims.payer_ref',
            'tenants.name as tenant_name',
          ])
          .where('claims.id', '=', claimId)
          .executeTakeFirst()
      : undefined;
    const history = claim ? (await claimHistory(db, claim.tenant_id, claim.id)).data : [];
    const endpoints = claim
      ? await db
          .selectFrom('webhook_endpoints')
          .select(['id', 'url', 'description', 'enabled'])
          .where('tenant_id', '=', claim.tenant_id)
          .orderBy('created_at')
          .limit(200)
          .execute()
      : [];
    return sendPage(
      c,
      html`<!doctype html>
<html lang="en">${opsHead('Claim — ClinicBridge operations', STYLE)}
<body><h1>Claim history</h1>
<p><a href="/ops">Back to operations</a></p>
${notice}
<form method="get" action="/ops/claims"><label>Claim id <input name="claim" value="${claimId}" size="40"></label> <button type="submit">Show</button></form>
${
  claimId && !claim
    ? html`<p>No claim ${claimId}.</p>`
    : claim
      ? html`<h2>${claim.id}</h2><p>Status <strong>${claim.status}</strong>, payer ${claim.payer_ref}, tenant <span title="${claim.tenant_id}">${claim.tenant_name}</span>.</p>
<table><thead><tr><th>#</th><th>Event</th><th>Type</th><th>At</th></tr></thead><tbody>
${history.map((e, i) => html`<tr><td data-label="#"><div>${i + 1}</div></td><td data-label="Event"><div><code>${e.id}</code></div></td><td data-label="Type"><div>${e.type}</div></td><td data-label="At"><div>${timeAgo(e.occurredAt, now())}</div></td></tr>`)}
</tbody></table>
<h2>Re-deliver for a dispute</h2>
${
  endpoints.length === 0
    ? html`<p>The tenant has no webhook endpoint.</p>`
    : html`<form method="post" action="/ops/claims/${claim.id}/redeliver"><label>Endpoint <select name="endpointId">${endpoints.map(
        (e) =>
          html`<option value="${e.id}">${e.description ?? e.url}${e.enabled ? '' : ' (disabled)'}</option>`,
      )}</select></label> <button type="submit">Re-deliver ${history.length} events</button></form>`
}`
      : ''
}
</body></html>`,
    );
  };
  app.get('/ops/claims', page);

  app.post('/ops/claims/:id/redeliver', async (c) => {
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const endpointId = typeof form.endpointId === 'string' ? form.endpointId : '';
    const claim = CLAIM_ID.test(id)
      ? await db
          .selectFrom('claims')
          .select(['id', 'tenant_id'])
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    c.header('Cache-Control', 'no-store');
    if (!claim) {
      return sendPage(
        c,
        renderOpsErrorPage('No such claim', 'Check the claim id and look it up again.'),
        404,
      );
    }
    const staff = c.get('staff');
    const user = staff.subject;
    // The console feature owns operator_actions; without it OPS_* is not read
    // and these pages stay closed, so this write never runs without the table.
    const audit = (outcome: string) =>
      recordOperatorAction(db, {
        operator: staff,
        action: 'claim.redeliver',
        entityId: claim.id,
        tenantId: claim.tenant_id,
        outcome,
        requestId: c.get('requestId') ?? null,
        now: now(),
      });
    const endpoint = await db
      .selectFrom('webhook_endpoints')
      .select(['enabled'])
      .where('id', '=', endpointId)
      .where('tenant_id', '=', claim.tenant_id)
      .executeTakeFirst();
    if (!endpoint) {
      await audit('endpoint_not_found');
      return sendPage(
        c,
        renderOpsErrorPage(
          'No such endpoint',
          'That webhook endpoint does not belong to the claim’s tenant. Go back and pick one from the list.',
        ),
        404,
      );
    }
    if (!endpoint.enabled) {
      // Deliveries to a disabled endpoint would wait forever: say so instead.
      await audit('endpoint_disabled');
      return c.redirect(
        `/ops/claims?claim=${encodeURIComponent(claim.id)}&notice=endpoint_disabled`,
        303,
      );
    }
    await db.transaction().execute((trx) =>
      redeliverClaim(
        trx,
        {
          tenantId: claim.tenant_id,
          actor: { type: 'operator', id: user },
          requestId: c.get('requestId'),
          now: now(),
        },
        claim.id,
        endpointId,
      ),
    );
    await audit('redelivered');
    context.wake();
    return c.redirect(`/ops/claims?claim=${encodeURIComponent(claim.id)}&notice=redelivered`, 303);
  });
}
