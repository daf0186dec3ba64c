/**
 * The operator's integration-tokens page, `/ops/tokens`: pick a tenant, see
 * its tokens, and — for a manager — create one (its key shown once, on the
 * answer to the form, never in a URL) or revoke one. A viewer sees the list
 * without any form.
 */
import type { IntegrationToken } from '@clinicbridge/sdk/contract';
import { scopes } from '@clinicbridge/sdk/contract';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { relativeTime } from './format.ts';
import type { Staff } from './identity/staff.ts';
import { opsHead, staffBar } from './pages/layout.ts';

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * What the tokens page shows.
 *
 * @example
 * const view: TokensView = { staff, tenants: [], tenant: null, tokens: [], created: null, notice: null, now: new Date() };
 */
export interface TokensView {
  staff: Staff;
  tenants: readonly { id: string; name: string }[];
  tenant: { id: string; name: string } | null;
  tokens: readonly IntegrationToken[];
  /** A token just created: the only time its key is shown. */
  created: { name: string; apiKey: string } | null;
  notice: { text: string; error: boolean } | null;
  now: Date;
}

const STYLE =
  '.secret{background:#fff8c5;border:1px solid #d4a72c;padding:.5rem;border-radius:4px}fieldset{border:1px solid #d0d7de;margin:.5rem 0}label{display:inline-block;margin:.1rem .6rem .1rem 0}';

function tokenRow(token: IntegrationToken, tenantId: string, manager: boolean, now: Date): Markup {
  const revoke =
    manager && token.status === 'active'
      ? html`<form method="post" action="/ops/tokens/${encodeURIComponent(token.id)}/revoke"><input type="hidden" name="tenant" value="${tenantId}"><button type="submit">Revoke ${token.name}</button></form>`
      : '';
  return html`<tr><td>${token.name}</td><td><code>${token.keyPrefix}…</code></td><td>${token.scopes.join(' ')}</td><td>${token.status}</td><td title="${token.createdAt}">${relativeTime(token.createdAt, now)}</td><td>${token.lastUsedAt ? relativeTime(token.lastUsedAt, now) : 'never'}</td><td>${revoke}</td></tr>`;
}

function createForm(tenantId: string): Markup {
  return html`<h2>New token</h2>
<form method="post" action="/ops/tokens/create">
<input type="hidden" name="tenant" value="${tenantId}">
<p><label>Name <input name="name" required maxlength="100"></label></p>
<fieldset><legend>Scopes</legend>${scopes.map((s) => html`<label><input type="checkbox" name="scope" value="${s}"> ${s}</label>`)}</fieldset>
<p><label>Why (needed for write: scopes) <input name="reason" maxlength="500" size="50"></label></p>
<p><button type="submit">Create token</button></p>
</form>`;
}

/**
 * Renders the tokens page.
 *
 * @example
 * return sendPage(c, renderTokensPage(view));
 */
export function renderTokensPage(view: TokensView): Markup {
  const manager = view.staff.role === 'manager';
  const { tenant } = view;
  return html`<!doctype html>
<html lang="en">${opsHead('Integration tokens — ClinicBridge operations', STYLE)}
<body>${staffBar(view.staff)}<p><a href="/ops">← operations</a></p><h1>Integration tokens</h1>
<form method="get" action="/ops/tokens"><label>Tenant <select name="tenant">${view.tenants.map((t) => html`<option value="${t.id}"${t.id === tenant?.id ? ' selected' : ''}>${t.name}</option>`)}</select></label> <button type="submit">Show</button></form>
${
  view.notice
    ? html`<p class="${view.notice.error ? 'error' : 'notice'}" role="${view.notice.error ? 'alert' : 'status'}">${view.notice.text}</p>`
    : ''
}
${
  view.created
    ? html`<div class="secret" role="status"><p>Token <strong>${view.created.name}</strong> created. Copy its key now: it is shown this once and cannot be read again.</p><p><code data-api-key>${view.created.apiKey}</code></p></div>`
    : ''
}
${
  tenant
    ? html`<h2>Tokens of ${tenant.name} (${view.tokens.length})</h2>
${
  view.tokens.length === 0
    ? html`<p class="empty">This tenant has no token.</p>`
    : html`<table><thead><tr><th>name</th><th>key</th><th>scopes</th><th>status</th><th>created</th><th>last used</th><th></th></tr></thead><tbody>${view.tokens.map((t) => tokenRow(t, tenant.id, manager, view.now))}</tbody></table>`
}
${manager ? createForm(tenant.id) : html`<p class="muted">Viewers can see tokens; creating and revoking them is for managers.</p>`}`
    : html`<p class="empty">Choose a tenant.</p>`
}
</body></html>`;
}
