/**
 * The operator page of reconciliation, `/ops/reconciliation`: every open
 * break of every tenant with the settlement lines involved, and a form that
 * resolves one, recording the operator and how. Each break also raised an
 * alert on `/ops`; resolving the break resolves that alert. Behind the
 * operator's HTTP Basic and the same-origin check of every `/ops` action;
 * every value is HTML-escaped by Hono's `html` helper.
 */
import { breakResolution, type ReconciliationBreak } from '@clinicbridge/sdk/contract';
import type { Hono } from 'hono';
import { html } from 'hono/html';
import { recordOperatorAction } from '../console/audit.ts';
import { operatorConfig } from '../console/config.ts';
import { requireOperator } from '../console/feature.ts';
import { opsHead, renderOpsErrorPage, timeAgo } from '../console/pages/layout.ts';
import { originPolicy, sameOrigin } from '../console/same-origin.ts';
import { type AppContext, readSection } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { sendPage } from '../http/page.ts';
import { resolveBreak, toBreak } from './service.ts';

const STYLE = 'select,input{font:inherit;max-width:100%} ul.lines{margin:0;padding-left:1em}';
const BREAK_ID = /^rcb_[0-9A-Za-z]{16,64}$/;
/** Most open breaks the page shows, oldest first. */
const PAGE_LIMIT = 200;

const amount = (m: { amount: number; currency: string } | null) =>
  m ? `${m.amount} ${m.currency}` : '—';

function breakRow(b: ReconciliationBreak & { tenantId: string }, now: Date) {
  return html`<tr>
<td data-label="Break"><div><code>${b.id}</code></div></td>
<td data-label="Kind"><div><strong>${b.kind}</strong></div></td>
<td data-label="Payment"><div>${b.paymentRef ?? '—'}${b.transferId ? html`<br><code>${b.transferId}</code>` : ''}</div></td>
<td data-label="Ledger"><div>${amount(b.expected)}</div></td>
<td data-label="Settled"><div>${amount(b.actual)}</div></td>
<td data-label="Lines"><div>${
    b.lines.length === 0
      ? 'none'
      : html`<ul class="lines">${b.lines.map(
          (l) =>
            html`<li><code>${l.lineId}</code> ${l.type}: gross ${l.gross.amount}, fee ${l.fee.amount}, net ${l.net.amount} ${l.gross.currency}</li>`,
        )}</ul>`
  }</div></td>
<td data-label="Found"><div>${timeAgo(b.createdAt, now)}</div></td>
<td data-label=""><div><form method="post" action="/ops/reconciliation/${b.id}/resolve">
<label>How <select name="resolution">${breakResolution.options.map((r) => html`<option value="${r}">${r}</option>`)}</select></label>
<label>Note <input name="note" maxlength="500"></label>
<button type="submit">Resolve</button></form></div></td>
</tr>`;
}

/**
 * Mounts `/ops/reconciliation`.
 *
 * @example
 * mountReconciliationOpsRoutes(app, context);
 */
export function mountReconciliationOpsRoutes(app: Hono<AppEnv>, context: AppContext): void {
  const { db, now } = context;
  const guard = requireOperator(readSection(context.config, operatorConfig), context.now);
  app.use('/ops/reconciliation', guard);
  app.use('/ops/reconciliation/*', guard, sameOrigin(originPolicy(context.config)));

  app.get('/ops/reconciliation', async (c) => {
    c.header('Cache-Control', 'no-store');
    const rows = await db
      .selectFrom('reconciliation_breaks')
      .selectAll()
      .where('status', '=', 'open')
      .orderBy('created_at')
      .orderBy('id')
      .limit(PAGE_LIMIT)
      .execute();
    const open = rows.map((r) => ({ ...toBreak(r), tenantId: r.tenant_id }));
    const notice =
      c.req.query('notice') === 'resolved'
        ? html`<p class="notice" role="status">Break resolved.</p>`
        : '';
    const at = now();
    return sendPage(
      c,
      html`<!doctype html>
<html lang="en">${opsHead('Reconciliation — ClinicBridge operations', STYLE)}
<body><h1>Reconciliation breaks</h1>
<p><a href="/ops">Back to operations</a></p>
${notice}
${
  open.length === 0
    ? html`<p>No open breaks.</p>`
    : html`<table><thead><tr><th>Break</th><th>Kind</th><th>Payment</th><th>Ledger</th><th>Settled</th><th>Lines</th><th>Found</th><th></th></tr></thead><tbody>
${open.map((b) => breakRow(b, at))}
</tbody></table>`
}
</body></html>`,
    );
  });

  app.post('/ops/reconciliation/:id/resolve', async (c) => {
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const resolution = breakResolution.safeParse(form.resolution);
    const note = typeof form.note === 'string' ? form.note.trim().slice(0, 500) : '';
    c.header('Cache-Control', 'no-store');
    const row = BREAK_ID.test(id)
      ? await db
          .selectFrom('reconciliation_breaks')
          .select(['id', 'tenant_id'])
          .where('id', '=', id)
          .executeTakeFirst()
      : undefined;
    if (!row || !resolution.success) {
      return sendPage(
        c,
        renderOpsErrorPage(
          'Cannot resolve',
          'No such break, or no resolution chosen. Go back and pick one from the list.',
        ),
        row ? 400 : 404,
      );
    }
    const staff = c.get('staff');
    const user = staff.subject;
    await db.transaction().execute((trx) =>
      resolveBreak(
        trx,
        {
          tenantId: row.tenant_id,
          actor: { type: 'operator', id: user },
          requestId: c.get('requestId') ?? null,
          now: now(),
        },
        row.id,
        { resolution: resolution.data, note: note || undefined },
      ),
    );
    // The console feature owns operator_actions; without it OPS_* is not read
    // and these pages stay closed, so this write never runs without the table.
    await recordOperatorAction(db, {
      operator: staff,
      action: 'reconciliation_break.resolve',
      entityId: row.id,
      tenantId: row.tenant_id,
      outcome: 'resolved',
      requestId: c.get('requestId') ?? null,
      now: now(),
    });
    return c.redirect('/ops/reconciliation?notice=resolved', 303);
  });
}
