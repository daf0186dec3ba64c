/**
 * The operator page of a claim, `/ops/claims?claim=clm_…`: its status and
 * whole event history, and a form that re-delivers that history to one of
 * the tenant's webhook endpoints for a dispute. Behind the operator's
 * HTTP Basic and the same-origin check of every `/ops` action; every value
 * on the page is HTML-escaped by Hono's `html` helper.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { operatorConfig } from '../console/config.ts';
import { basicCredentials, requireOperator, sameOrigin } from '../console/feature.ts';
import { type AppContext, readSection } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { ApiError } from '../kernel/problem.ts';
import { claimHistory, redeliverClaim } from './history.ts';

const STYLE = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left}
th{background:#f6f8fa}.notice{background:#ddf4ff;padding:.5rem;border-radius:4px}button,select,input{font:inherit}`;

const CLAIM_ID = /^clm_[0-9A-Za-z]{16,64}$/;

/**
 * Mounts `/ops/claims`.
 *
 * @example
 * mountClaimOpsRoutes(app, context);
 */
export function mountClaimOpsRoutes(app: Hono<AppEnv>, context: AppContext): void {
  const { db, now } = context;
  const guard = requireOperator(readSection(context.config, operatorConfig));
  app.use('/ops/claims', guard);
  app.use('/ops/claims/*', guard, sameOrigin);

  const page = async (c: Context<AppEnv>) => {
    c.header('Cache-Control', 'no-store');
    const claimId = c.req.query('claim')?.trim() ?? '';
    const notice =
      c.req.query('notice') === 'redelivered'
        ? 'The claim’s events are being delivered again.'
        : null;
    const claim = CLAIM_ID.test(claimId)
      ? await db
          .selectFrom('claims')
          .select(['id', 'tenant_id', 'status', 'payer_ref'])
          .where('id', '=', claimId)
          .executeTakeFirst()
      : undefined;
    const history = claim ? (await claimHistory(db, claim.tenant_id, claim.id)).data : [];
    const endpoints = claim
      ? await db
          .selectFrom('webhook_endpoints')
          .select(['id', 'url', 'enabled'])
          .where('tenant_id', '=', claim.tenant_id)
          .orderBy('created_at')
          .limit(200)
          .execute()
      : [];
    return c.html(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="same-origin"><title>Claim — ClinicBridge operations</title><style>${STYLE}</style></head>
<body><h1>Claim history</h1>
<p><a href="/ops">Back to operations</a></p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
<form method="get" action="/ops/claims"><label>Claim id <input name="claim" value="${claimId}" size="40"></label> <button type="submit">Show</button></form>
${
  claimId && !claim
    ? html`<p>No claim ${claimId}.</p>`
    : claim
      ? html`<h2>${claim.id}</h2><p>Status <strong>${claim.status}</strong>, payer ${claim.payer_ref}, tenant ${claim.tenant_id}.</p>
<table><thead><tr><th>#</th><th>Event</th><th>Type</th><th>At</th></tr></thead><tbody>
${history.map((e, i) => html`<tr><td>${i + 1}</td><td><code>${e.id}</code></td><td>${e.type}</td><td>${e.occurredAt}</td></tr>`)}
</tbody></table>
<h2>Re-deliver for a dispute</h2>
${
  endpoints.length === 0
    ? html`<p>The tenant has no webhook endpoint.</p>`
    : html`<form method="post" action="/ops/claims/${claim.id}/redeliver"><label>Endpoint <select name="endpointId">${endpoints.map(
        (e) => html`<option value="${e.id}">${e.url}${e.enabled ? '' : ' (disabled)'}</option>`,
      )}</select></label> <button type="submit">Re-deliver ${history.length} events</button></form>`
}`
      : ''
}
</body></html>`);
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
    if (!claim) throw new ApiError('not_found', 'No such claim.');
    const user = basicCredentials(c.req.header('authorization'))?.user ?? 'operator';
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
    context.wake();
    return c.redirect(`/ops/claims?claim=${encodeURIComponent(claim.id)}&notice=redelivered`, 303);
  });
}
