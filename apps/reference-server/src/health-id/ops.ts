/**
 * The operator pages of ABDM, `/ops/health-id?tenant=…&patient=…`: the
 * patient's linked ABHA and consents, a form to link an ABHA (with the
 * linking token the patient's authentication produced) and a form to ask
 * for a consent. These are staff actions, not partner API operations: they
 * sit behind the operator's sign-in and the same-origin check of every
 * `/ops` action, and each is recorded in the operator audit log. Values on
 * the page are HTML-escaped by Hono's `html` helper.
 */
import type { Context, Hono } from 'hono';
import { html } from 'hono/html';
import { recordOperatorAction } from '../console/audit.ts';
import { operatorConfig } from '../console/config.ts';
import { requireOperator } from '../console/feature.ts';
import { opsHead, renderOpsErrorPage } from '../console/pages/layout.ts';
import { originPolicy, sameOrigin } from '../console/same-origin.ts';
import { type AppContext, readSection } from '../feature.ts';
import type { AppEnv } from '../http/context.ts';
import { sendPage } from '../http/page.ts';
import { isApiError } from '../kernel/problem.ts';
import { type HealthIdDeps, linkAbha, patientHealthId, requestConsent } from './service.ts';

const ID = /^[a-z]{2,5}_[0-9A-Za-z]{16,64}$/;
const STYLE = 'input,select{font:inherit;max-width:100%}form p{margin:.4rem 0}';

const NOTICES: Record<string, string> = {
  linked:
    'The ABHA link was sent to the gateway; the patient’s FHIR exchange now needs their consent.',
  link_manual: 'The gateway is unavailable: the link is a manual task on /ops.',
  requested: 'The consent request was sent; the patient answers in their ABHA app.',
  request_manual: 'The gateway is unavailable: the consent request is a manual task on /ops.',
};

/** A form's text fields (the first value of each), and `hiTypes` as a list. */
async function formOf(c: Context<AppEnv>) {
  const body = await c.req.parseBody({ all: true });
  const text = (name: string) => {
    const value = body[name];
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first.trim() : '';
  };
  const raw = body.hiTypes;
  const hiTypes = (Array.isArray(raw) ? raw : [raw])
    .flatMap((value) => (typeof value === 'string' ? value.split(',') : []))
    .map((value) => value.trim())
    .filter((value) => value !== '')
    .slice(0, 10);
  return { text, hiTypes };
}

/**
 * Mounts `/ops/health-id`.
 *
 * @example
 * mountHealthIdOpsRoutes(app, context, () => ({ gateway: context.providers.healthId, now: context.now }));
 */
export function mountHealthIdOpsRoutes(
  app: Hono<AppEnv>,
  context: AppContext,
  deps: () => HealthIdDeps,
): void {
  const { db, now } = context;
  const guard = requireOperator(readSection(context.config, operatorConfig), now);
  app.use('/ops/health-id', guard);
  app.use('/ops/health-id/*', guard, sameOrigin(originPolicy(context.config)));
  const pageUrl = (tenantId: string, patientId: string, notice: string) =>
    `/ops/health-id?tenant=${encodeURIComponent(tenantId)}&patient=${encodeURIComponent(patientId)}&notice=${notice}`;

  app.get('/ops/health-id', async (c) => {
    c.header('Cache-Control', 'no-store');
    const tenantId = c.req.query('tenant')?.trim() ?? '';
    const patientId = c.req.query('patient')?.trim() ?? '';
    const notice = NOTICES[c.req.query('notice') ?? ''];
    const found =
      ID.test(tenantId) && ID.test(patientId)
        ? await patientHealthId(db, tenantId, patientId)
        : undefined;
    return sendPage(
      c,
      html`<!doctype html>
<html lang="en">${opsHead('ABHA and consents — ClinicBridge operations', STYLE)}
<body><h1>ABHA and consents</h1>
<p><a href="/ops">Back to operations</a></p>
${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
${deps().gateway ? '' : html`<p class="error" role="alert">ABDM is not configured on this server (ABDM_* variables): nothing can be linked or asked.</p>`}
<form method="get" action="/ops/health-id"><label>Tenant id <input name="tenant" value="${tenantId}" size="34"></label> <label>Patient id <input name="patient" value="${patientId}" size="34"></label> <button type="submit">Show</button></form>
${
  found
    ? html`<h2>ABHA</h2>${
        found.link
          ? html`<p>Linked ABHA <strong>${found.link.abha_address}</strong>, number ${found.link.abha_number_masked} (${found.link.status}).</p>`
          : html`<p>No ABHA linked: this patient’s FHIR exchange is not gated.</p>`
      }
<form method="post" action="/ops/health-id/link"><input type="hidden" name="tenantId" value="${tenantId}"><input type="hidden" name="patientId" value="${patientId}">
<p><label>ABHA number <input name="abhaNumber" placeholder="14 digits, dashes optional" required></label></p>
<p><label>ABHA address <input name="abhaAddress" placeholder="name@sbx" required></label></p>
<p><label>Linking token <input name="linkToken" required></label></p>
<button type="submit">Link ABHA</button></form>
<h2>Consents</h2>
<table><thead><tr><th>Id</th><th>Status</th><th>Purpose</th><th>Types</th><th>Records from – to</th><th>Expires</th></tr></thead><tbody>
${found.consents.map(
  (row) =>
    html`<tr><td data-label="Id"><div><code>${row.id}</code></div></td><td data-label="Status"><div>${row.status}</div></td><td data-label="Purpose"><div>${row.purpose}</div></td><td data-label="Types"><div>${row.hi_types.join(', ')}</div></td><td data-label="Records"><div>${row.date_from.toISOString().slice(0, 10)} – ${row.date_to.toISOString().slice(0, 10)}</div></td><td data-label="Expires"><div>${row.expires_at.toISOString()}</div></td></tr>`,
)}
</tbody></table>
<form method="post" action="/ops/health-id/consents"><input type="hidden" name="tenantId" value="${tenantId}"><input type="hidden" name="patientId" value="${patientId}">
<p><label>Purpose <select name="purpose"><option>CAREMGT</option><option>BTG</option><option>PUBHLTH</option><option>HPAYMT</option><option>DSRCH</option><option>PATRQT</option></select></label></p>
<p><label>Health-information types (comma-separated) <input name="hiTypes" value="OPConsultation"></label></p>
<p><label>Records from <input name="from" placeholder="2026-01-01T00:00:00Z" required></label> <label>to <input name="to" placeholder="2026-12-31T00:00:00Z" required></label></p>
<p><label>Consent expires <input name="expiresAt" placeholder="2027-06-30T00:00:00Z" required></label></p>
<button type="submit">Ask for consent</button></form>`
    : ''
}
</body></html>`,
    );
  });

  const action =
    (
      name: 'abha.link' | 'consent.request',
      run: (
        ids: { tenantId: string; patientId: string },
        form: Awaited<ReturnType<typeof formOf>>,
      ) => Promise<{ notice: string; entityId: string }>,
    ) =>
    async (c: Context<AppEnv>) => {
      c.header('Cache-Control', 'no-store');
      const form = await formOf(c);
      const ids = { tenantId: form.text('tenantId'), patientId: form.text('patientId') };
      if (!ID.test(ids.tenantId) || !ID.test(ids.patientId))
        return sendPage(
          c,
          renderOpsErrorPage(
            'No such patient',
            'Look the patient up by tenant and patient id first.',
          ),
          404,
        );
      const audit = (entityId: string, outcome: string) =>
        recordOperatorAction(db, {
          operator: c.get('staff'),
          action: name,
          entityId,
          tenantId: ids.tenantId,
          outcome,
          requestId: c.get('requestId') ?? null,
          now: now(),
        });
      try {
        const done = await run(ids, form);
        await audit(done.entityId, done.notice);
        return c.redirect(pageUrl(ids.tenantId, ids.patientId, done.notice), 303);
      } catch (error) {
        if (!isApiError(error)) throw error;
        await audit(ids.patientId, error.code);
        const fields = (error.extras.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
        return sendPage(
          c,
          renderOpsErrorPage(
            'Not done',
            `${error.detail ?? error.message}${fields ? ` (${fields})` : ''} [${error.code}]`,
          ),
          error.status as 400,
        );
      }
    };

  app.post(
    '/ops/health-id/link',
    action('abha.link', async (ids, form) => {
      const link = await linkAbha(db, deps(), {
        ...ids,
        abhaNumber: form.text('abhaNumber'),
        abhaAddress: form.text('abhaAddress'),
        linkToken: form.text('linkToken'),
      });
      return {
        notice: link.status === 'manual' ? 'link_manual' : 'linked',
        entityId: ids.patientId,
      };
    }),
  );
  app.post(
    '/ops/health-id/consents',
    action('consent.request', async (ids, form) => {
      const consent = await requestConsent(db, deps(), {
        ...ids,
        purpose: form.text('purpose'),
        hiTypes: form.hiTypes,
        from: form.text('from'),
        to: form.text('to'),
        expiresAt: form.text('expiresAt'),
      });
      return {
        notice: consent.status === 'manual' ? 'request_manual' : 'requested',
        entityId: consent.id,
      };
    }),
  );
}
