/**
 * What every operator page shares: the head (viewport, style, referrer
 * policy), the navigation, the notice after an action, tables that become
 * cards at phone width, POST buttons, and times and tenants as a person
 * reads them. Rendered with Hono's `html` helper: every interpolated value
 * is HTML-escaped; nothing is marked raw. The pages carry no inline script
 * (their CSP forbids it): live updates come from `/ops/live.js`.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { exactTime, relativeTime } from '../format.ts';
import type { Staff } from '../identity/staff.ts';

/**
 * Rendered HTML.
 *
 * @example
 * const markup: Markup = html`<p>hi</p>`;
 */
export type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Content of one table cell.
 *
 * @example
 * const cell: Cell = 'Clinic 1';
 */
export type Cell = Markup | string | number;

/**
 * A message shown once after an action.
 *
 * @example
 * const notice: Notice = { text: 'Alert resolved.', error: false };
 */
export interface Notice {
  readonly text: string;
  readonly error: boolean;
}

const STYLE = `
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.3rem;margin:.5rem 0}h2{font-size:1.05rem;margin-top:2rem}
nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;border-bottom:1px solid #d0d7de;padding-bottom:.5rem}
nav a[aria-current=page]{font-weight:600;color:#1b1f24;text-decoration:none}
#live{margin-left:auto;color:#57606a;font-size:12px}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}th{background:#f6f8fa}code{font-size:12px;overflow-wrap:anywhere;word-break:break-all}
.empty,.muted{color:#57606a}.notice{background:#ddf4ff;padding:.5rem;border-radius:4px}.error{background:#ffebe9;border:1px solid #ff8182;padding:.5rem;border-radius:4px}
.state-open{color:#cf222e;font-weight:600}.state-half_open{color:#9a6700;font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:.25rem}
button{font:inherit;padding:.1rem .6rem;white-space:nowrap}form{margin:0}
.staff{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:flex-end;margin-bottom:.25rem}
body[data-role=viewer] main form[method=post]{display:none}
dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem}dt{font-weight:600;color:#57606a}dd{margin:0;overflow-wrap:anywhere}
ol.attempts{margin:0;padding-left:1.2rem}
@media (max-width:700px){
body{margin:.75rem}
table,tbody,tr,td{display:block}thead{display:none}
tr{border:1px solid #d0d7de;border-radius:6px;margin:.5rem 0;padding:.25rem 0}
td{border:0;padding:.15rem .5rem;display:grid;grid-template-columns:6.5rem minmax(0,1fr);gap:.5rem}
td::before{content:attr(data-label);font-weight:600;color:#57606a}
button{padding:.4rem 1rem}
}`;

/**
 * The head of every operator page (also those other features mount under
 * `/ops`): viewport, shared style, and the referrer policy.
 * `<meta name="referrer" content="same-origin">` overrides the server-wide
 * `no-referrer` for this page: under `no-referrer` a browser posts the
 * forms with `Origin: null`, which the same-origin check must refuse.
 *
 * @example
 * html`<!doctype html><html lang="en">${opsHead('Claim — ClinicBridge operations')}<body>…</body></html>`;
 */
export function opsHead(title: string, extraStyle = ''): Markup {
  return html`<head><meta charset="utf-8"><meta name="referrer" content="same-origin"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}${extraStyle}</style></head>`;
}

/**
 * A time as a person reads it — "5 min ago" — relative to `now`, with the
 * exact time as `datetime` and tooltip.
 *
 * @example
 * timeAgo('2026-11-22T08:00:00.000Z', new Date('2026-11-22T08:05:00.000Z')); // <time datetime="…" title="2026-11-22 08:00:00 UTC">5 min ago</time>
 */
export function timeAgo(iso: string, now: Date): Markup {
  return html`<time datetime="${iso}" title="${exactTime(iso)}">${relativeTime(iso, now)}</time>`;
}

/**
 * A tenant by name (its id as tooltip), or its id when the name is unknown.
 *
 * @example
 * tenantLabel('ten_…', names); // <span title="ten_…">Clinic 1</span>
 */
export function tenantLabel(id: string | null, names: ReadonlyMap<string, string>): Cell {
  if (id === null) return '—';
  const name = names.get(id);
  return name ? html`<span title="${id}">${name}</span>` : html`<code>${id}</code>`;
}

/**
 * A button that POSTs to `path` (a normal form: the server answers with a
 * redirect back and a notice). `fields` become hidden inputs.
 *
 * @example
 * postButton('/ops/alerts/alr_1/resolve', 'Resolve');
 */
export function postButton(
  path: string,
  label: string,
  fields: Readonly<Record<string, string>> = {},
): Markup {
  return html`<form method="post" action="${path}">${Object.entries(fields).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}<button type="submit">${label}</button></form>`;
}

/**
 * A titled table that becomes one card per row at phone width (each cell
 * labelled by its header).
 *
 * @example
 * table('Open alerts', ['kind', 'message'], rows, 'No open alerts.');
 */
export function table(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  empty: string,
): Markup {
  return html`<section>
<h2>${title} (${rows.length})</h2>
${
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map(
        (cells) =>
          html`<tr>${cells.map((cell, i) => html`<td data-label="${headers[i] ?? ''}"><div>${cell}</div></td>`)}</tr>`,
      )}</tbody></table>`
}
</section>`;
}

const NAV: readonly [path: string, label: string][] = [
  ['/ops', 'Overview'],
  ['/ops/endpoints', 'Webhook endpoints'],
  ['/ops/tasks', 'Manual tasks'],
  ['/ops/providers', 'Providers'],
  ['/ops/tokens', 'Integration tokens'],
  ['/ops/claims', 'Claim history'],
  ['/ops/reconciliation', 'Reconciliation breaks'],
  ['/ops/travel', 'Flight offers'],
  ['/ops/health-id', 'ABHA and consents'],
];

/**
 * A whole console page: navigation, the notice, the content in `<main>`
 * (which `/ops/live.js` replaces when the server says something changed).
 *
 * @example
 * return sendPage(c, opsPage({ title: 'Manual tasks', path: '/ops/tasks', notice: null, body: html`…` }));
 */
export function opsPage(page: {
  readonly title: string;
  readonly path: string;
  readonly notice: Notice | null;
  readonly body: Markup;
  /** Who is signed in; a viewer's page shows no action forms (the gate refuses them anyway). */
  readonly staff?: Staff | undefined;
}): Markup {
  const { notice } = page;
  return html`<!doctype html>
<html lang="en">${opsHead(`${page.title} — ClinicBridge operations`)}
<body data-role="${page.staff?.role ?? 'manager'}">${staffBar(page.staff)}<nav aria-label="Operations">${NAV.map(
    ([path, label]) =>
      path === page.path
        ? html`<a href="${path}" aria-current="page">${label}</a>`
        : html`<a href="${path}">${label}</a>`,
  )}<span id="live" aria-live="off"></span></nav>
<h1>${page.title}</h1>
${
  notice
    ? notice.error
      ? html`<p class="error" role="alert">${notice.text}</p>`
      : html`<p class="notice" role="status">${notice.text}</p>`
    : ''
}
<main id="ops-main">${page.body}</main>
<script src="/ops/live.js" defer></script>
</body></html>`;
}

/**
 * A page that tells an operator, in words, why an action was refused and
 * what to do — instead of the API's problem+json, which a browser shows as
 * raw JSON.
 *
 * @example
 * return sendPage(c, renderOpsErrorPage('Action refused', 'Reload /ops and press the button again.'), 403);
 */
export function renderOpsErrorPage(title: string, message: string): Markup {
  return html`<!doctype html>
<html lang="en">${opsHead(`${title} — ClinicBridge operations`)}
<body><h1>${title}</h1>
<p class="error" role="alert">${message}</p>
<p><a href="/ops">Back to operations</a></p>
</body></html>`;
}

/**
 * Who is signed in, their role, and the sign-out button (a POST form: same-origin checked).
 *
 * @example
 * html`<body>${staffBar(c.get('staff'))}…`;
 */
export function staffBar(staff: Staff | undefined): Markup | string {
  if (!staff) return '';
  return html`<div class="staff muted" data-staff-role="${staff.role}">Signed in as <strong>${staff.name}</strong> · role: <strong>${staff.role}</strong>${staff.role === 'viewer' ? ' (read only)' : ''}
<form method="post" action="/ops/sign-out"><button type="submit">Sign out</button></form></div>`;
}
