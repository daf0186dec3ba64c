/**
 * The operator page, rendered on the server with Hono's `html` helper (every
 * interpolated value is HTML-escaped; nothing is marked raw). One page with a
 * section per kind of trouble; each action is a small POST form that comes
 * back to the page with a notice.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { FailedHl7Message } from '../hl7/console.ts';
import type { Hl7RejectSummary } from '../hl7/rejects.ts';
import type { InboundWebhookSummary } from '../inbound/console.ts';
import type { ManualTaskRow } from '../manual-tasks/store.ts';
import type { OperatorActionRow } from './audit.ts';
import type { DeadLetterRow, DisabledEndpointRow } from './queries.ts';

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * An open alert as the page shows it.
 *
 * @example
 * const alert: AlertRow = { id: 'alr_…', tenantId: null, kind: 'inbound_webhook_unparseable', message: '…', createdAt: '…' };
 */
export interface AlertRow {
  id: string;
  tenantId: string | null;
  kind: string;
  message: string;
  createdAt: string;
}

/**
 * Everything the page shows.
 *
 * @example
 * const view: OpsView = { alerts: [], inbound: [], deadLetters: [], disabledEndpoints: [], manualTasks: [], hl7Failed: [], hl7Rejects: [], recentActions: [], tenantNames: new Map(), notice: null, now: new Date() };
 */
export interface OpsView {
  alerts: readonly AlertRow[];
  inbound: readonly InboundWebhookSummary[];
  deadLetters: readonly DeadLetterRow[];
  disabledEndpoints: readonly DisabledEndpointRow[];
  manualTasks: readonly ManualTaskRow[];
  hl7Failed: readonly FailedHl7Message[];
  hl7Rejects: readonly Hl7RejectSummary[];
  /** The latest actions taken on these pages (the operator audit trail). */
  recentActions: readonly OperatorActionRow[];
  /** Names of the tenants the rows mention, by id. */
  tenantNames: ReadonlyMap<string, string>;
  notice: { text: string; error: boolean } | null;
  /** The time relative times are counted from. */
  now: Date;
  /** Sections other features render, shown at the end (the imports' progress). */
  sections?: readonly Markup[];
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}td:last-child{white-space:nowrap}th{background:#f6f8fa}code{font-size:12px;overflow-wrap:anywhere;word-break:break-all}
.empty,.muted{color:#57606a}.notice{background:#ddf4ff;padding:.5rem;border-radius:4px}.error{background:#ffebe9;border:1px solid #ff8182;padding:.5rem;border-radius:4px}
button{font:inherit;padding:.1rem .6rem}form{margin:0}
@media (max-width:700px){
body{margin:.75rem}
table,tbody,tr,td{display:block}thead{display:none}
tr{border:1px solid #d0d7de;border-radius:6px;margin:.5rem 0;padding:.25rem 0}
td{border:0;padding:.15rem .5rem;display:grid;grid-template-columns:6.5rem minmax(0,1fr);gap:.5rem;white-space:normal}
td:last-child{white-space:normal}
td::before{content:attr(data-label);font-weight:600;color:#57606a}
button{padding:.4rem 1rem}
}`;

/** Content of one table cell. */
type Cell = Markup | string | number;

/**
 * A time as a person reads it — "5 minutes ago" — relative to `now`, with the
 * exact ISO time as its tooltip and `datetime`.
 *
 * @example
 * timeAgo('2026-11-22T08:00:00.000Z', new Date('2026-11-22T08:05:00.000Z')); // <time … title="2026-11-22T08:00:00.000Z">5 minutes ago</time>
 */
export function timeAgo(iso: string, now: Date): Markup {
  return html`<time datetime="${iso}" title="${iso}">${relativeTime(iso, now)}</time>`;
}

const UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400],
  ['month', 30 * 86_400],
  ['week', 7 * 86_400],
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
];
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/**
 * `iso` relative to `now` in plain English ("just now", "3 hours ago", "in 2 days").
 *
 * @example
 * relativeTime('2026-11-22T08:00:00.000Z', new Date('2026-11-22T10:00:00.000Z')); // '2 hours ago'
 */
export function relativeTime(iso: string, now: Date): string {
  const seconds = (Date.parse(iso) - now.getTime()) / 1_000;
  if (!Number.isFinite(seconds)) return iso;
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return RELATIVE.format(Math.round(seconds / size), unit);
  }
  return RELATIVE.format(Math.round(seconds / 60) || Math.sign(seconds), 'minute');
}

/**
 * A tenant by name (its id as tooltip), or its id when the name is unknown.
 *
 * @example
 * tenantLabel('ten_…', names); // <span title="ten_…">Clinic 1</span>
 */
function tenantLabel(id: string | null, names: ReadonlyMap<string, string>): Markup | string {
  if (id === null) return '—';
  const name = names.get(id);
  return name ? html`<span title="${id}">${name}</span>` : html`<code>${id}</code>`;
}

function action(path: string, label: string): Markup {
  return html`<form method="post" action="${path}"><button type="submit">${label}</button></form>`;
}

function table(
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

/**
 * The head of every operator page (also those other features mount under
 * `/ops`): viewport, shared style, and the referrer policy. `Referrer-Policy: same-origin` overrides
 * the server-wide `no-referrer` for this page: under `no-referrer` a
 * browser posts the forms with `Origin: null`, which the same-origin check
 * must refuse.
 *
 * @example
 * html`<!doctype html><html lang="en">${opsHead('Claim — ClinicBridge operations')}<body>…</body></html>`;
 */
export function opsHead(title: string, extraStyle = ''): Markup {
  return html`<head><meta charset="utf-8"><meta name="referrer" content="same-origin"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}${extraStyle}</style></head>`;
}

/**
 * Renders the operator page.
 *
 * @example
 * return c.html(renderOpsPage({ alerts, inbound, deadLetters, disabledEndpoints, manualTasks, hl7Failed, hl7Rejects, recentActions, tenantNames, notice: null, now }));
 */
export function renderOpsPage(view: OpsView): Markup {
  const { now, tenantNames: names } = view;
  const when = (iso: string) => timeAgo(iso, now);
  const alerts = view.alerts.map((a) => [
    html`<code>${a.id}</code>`,
    a.kind,
    tenantLabel(a.tenantId, names),
    a.message,
    when(a.createdAt),
    action(`/ops/alerts/${encodeURIComponent(a.id)}/resolve`, 'Resolve'),
  ]);
  const inbound = view.inbound.map((w) => [
    html`<code>${w.id}</code>`,
    w.provider,
    w.eventType ?? '—',
    w.status,
    w.reason ?? '—',
    w.attempts,
    when(w.receivedAt),
    w.status === 'failed'
      ? action(`/ops/inbound/${encodeURIComponent(w.id)}/retry`, 'Retry')
      : html`<span class="empty">fix the sender</span>`,
  ]);
  const dead = view.deadLetters.map((d) => [
    html`<code>${d.id}</code>`,
    tenantLabel(d.tenantId, names),
    html`${d.endpointName ? html`<span title="${d.endpointId}">${d.endpointName}</span>` : html`<code>${d.endpointId}</code>`}${d.endpointEnabled ? '' : html` <strong>(disabled)</strong>`}`,
    d.eventType,
    d.attempts,
    d.lastError ?? '—',
    when(d.deadSince),
    action(`/ops/dead-letters/${encodeURIComponent(d.id)}/replay`, 'Replay'),
  ]);
  const disabled = view.disabledEndpoints.map((e) => [
    e.name ? html`<span title="${e.id}">${e.name}</span>` : html`<code>${e.id}</code>`,
    tenantLabel(e.tenantId, names),
    e.reason ?? '—',
    when(e.disabledAt),
  ]);
  const tasks = view.manualTasks.map((m) => [
    html`<code>${m.id}</code>`,
    m.kind,
    `${m.provider} ${m.operation}`,
    html`<code>${m.subjectRef}</code>`,
    m.summary,
    m.reason,
    when(m.createdAt),
    action(`/ops/manual-tasks/${encodeURIComponent(m.id)}/done`, 'Mark done'),
  ]);
  const hl7Failed = view.hl7Failed.map((m) => [
    html`<code>${m.id}</code>`,
    tenantLabel(m.tenantId, names),
    m.sender,
    m.event,
    html`<code>${m.controlId}</code>`,
    m.reason ?? '—',
    m.attempts,
    when(m.receivedAt),
    action(`/ops/hl7/messages/${encodeURIComponent(m.id)}/retry`, 'Retry'),
  ]);
  const hl7Rejects = view.hl7Rejects.map((r) => [
    html`<code>${r.id}</code>`,
    html`${r.kind}${r.ackCode ? html` (${r.ackCode})` : ''}`,
    r.sender ?? '—',
    r.sourceAddress,
    r.reason,
    html`<code>${r.preview}</code>`,
    r.byteLength,
    r.count,
    when(r.lastSeenAt),
    html`<a href="/ops/hl7/rejects/${encodeURIComponent(r.id)}">Bytes</a>`,
  ]);
  const recent = view.recentActions.map((a) => [
    when(a.occurredAt),
    a.operator,
    a.action,
    html`<code>${a.entityId}</code>`,
    tenantLabel(a.tenantId, names),
    a.outcome,
  ]);
  return html`<!doctype html>
<html lang="en">${opsHead('ClinicBridge operations')}
<body><h1>ClinicBridge operations</h1>
<p><a href="/ops/claims">Claim history and re-delivery</a> · <a href="/ops/reconciliation">Reconciliation breaks</a></p>
${
  view.notice
    ? view.notice.error
      ? html`<p class="error" role="alert">${view.notice.text}</p>`
      : html`<p class="notice" role="status">${view.notice.text}</p>`
    : ''
}
${table('Open alerts', ['id', 'kind', 'tenant', 'message', 'raised', ''], alerts, 'No open alerts.')}
${table('Inbound webhooks needing attention', ['id', 'provider', 'event type', 'status', 'reason', 'attempts', 'received', ''], inbound, 'Every inbound webhook was processed.')}
${table('Dead letters', ['id', 'tenant', 'endpoint', 'event type', 'attempts', 'last error', 'dead since', ''], dead, 'The dead-letter queue is empty.')}
${table('Manual tasks', ['id', 'kind', 'provider', 'subject', 'task', 'reason', 'recorded', ''], tasks, 'No manual task is waiting.')}
${table('HL7 messages that could not be applied', ['id', 'tenant', 'sender', 'event', 'control id', 'reason', 'attempts', 'received', ''], hl7Failed, 'Every stored HL7 message was applied.')}
${table('HL7 refusals and unreadable bytes', ['id', 'kind', 'sender', 'from', 'reason', 'structure', 'bytes', 'times', 'last seen', ''], hl7Rejects, 'The HL7 listener has refused nothing.')}
${table('Disabled webhook endpoints', ['endpoint', 'tenant', 'reason', 'disabled'], disabled, 'No endpoint is disabled.')}
${table('Recent operator actions', ['when', 'operator', 'action', 'item', 'tenant', 'outcome'], recent, 'No operator action yet.')}
${view.sections ?? ''}
</body></html>`;
}

/**
 * A page that tells an operator, in words, why an action was refused and
 * what to do — instead of the API's problem+json, which a browser shows as
 * raw JSON.
 *
 * @example
 * return c.html(renderOpsErrorPage('Action refused', 'Reload /ops and press the button again.'), 403);
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
 * One HL7 refusal with its bytes as text (escaped; control characters
 * shown as `·`, segment breaks as line breaks), for the operator who opened it.
 *
 * @example
 * return c.html(renderHl7RejectPage(await getReject(db, id), new Date()));
 */
export function renderHl7RejectPage(reject: Hl7RejectSummary & { raw: string }, now: Date): Markup {
  const text = reject.raw
    .replace(/\r\n|\r|\n/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces.
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '·');
  return html`<!doctype html>
<html lang="en">${opsHead(`HL7 refusal ${reject.id}`, 'pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.5rem}')}
<body><p><a href="/ops">← operations</a></p><h1>HL7 refusal <code>${reject.id}</code></h1>
<p>${reject.kind}${reject.ackCode ? ` (answered ${reject.ackCode})` : ''} from ${reject.sourceAddress}${reject.sender ? `, ${reject.sender}` : ''}; seen ${reject.count} time(s), last ${timeAgo(reject.lastSeenAt, now)}; ${reject.byteLength} bytes.</p>
<p>${reject.reason}</p>
<p class="empty">These bytes may hold patient data: do not copy them outside the operations team.</p>
<pre>${text}</pre>
</body></html>`;
}
