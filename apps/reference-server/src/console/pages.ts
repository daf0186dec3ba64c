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
 * const view: OpsView = { alerts: [], inbound: [], deadLetters: [], disabledEndpoints: [], manualTasks: [], hl7Failed: [], hl7Rejects: [], notice: null };
 */
export interface OpsView {
  alerts: readonly AlertRow[];
  inbound: readonly InboundWebhookSummary[];
  deadLetters: readonly DeadLetterRow[];
  disabledEndpoints: readonly DisabledEndpointRow[];
  manualTasks: readonly ManualTaskRow[];
  hl7Failed: readonly FailedHl7Message[];
  hl7Rejects: readonly Hl7RejectSummary[];
  notice: string | null;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1f24}
h1{font-size:1.3rem}h2{font-size:1.05rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}td:last-child{white-space:nowrap}th{background:#f6f8fa}code{font-size:12px}.empty{color:#57606a}.notice{background:#ddf4ff;padding:.5rem;border-radius:4px}
button{font:inherit;padding:.1rem .6rem}`;

function action(path: string, label: string): Markup {
  return html`<form method="post" action="${path}"><button type="submit">${label}</button></form>`;
}

function table(
  title: string,
  headers: readonly string[],
  rows: readonly Markup[],
  empty: string,
): Markup {
  return html`<section>
<h2>${title} (${rows.length})</h2>
${
  rows.length === 0
    ? html`<p class="empty">${empty}</p>`
    : html`<table><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`
}
</section>`;
}

/**
 * Renders the operator page.
 *
 * @example
 * return c.html(renderOpsPage({ alerts, inbound, deadLetters, disabledEndpoints, manualTasks, notice: null }));
 */
export function renderOpsPage(view: OpsView): Markup {
  const alerts = view.alerts.map(
    (a) =>
      html`<tr><td><code>${a.id}</code></td><td>${a.kind}</td><td>${a.tenantId ?? '—'}</td><td>${a.message}</td><td>${a.createdAt}</td><td>${action(`/ops/alerts/${encodeURIComponent(a.id)}/resolve`, 'Resolve')}</td></tr>`,
  );
  const inbound = view.inbound.map(
    (w) =>
      html`<tr><td><code>${w.id}</code></td><td>${w.provider}</td><td>${w.eventType ?? '—'}</td><td>${w.status}</td><td>${w.reason ?? '—'}</td><td>${w.attempts}</td><td>${w.receivedAt}</td><td>${
        w.status === 'failed'
          ? action(`/ops/inbound/${encodeURIComponent(w.id)}/retry`, 'Retry')
          : html`<span class="empty">fix the sender</span>`
      }</td></tr>`,
  );
  const dead = view.deadLetters.map(
    (d) =>
      html`<tr><td><code>${d.id}</code></td><td>${d.tenantId}</td><td><code>${d.endpointId}</code></td><td>${d.eventType}</td><td>${d.attempts}</td><td>${d.lastError ?? '—'}</td><td>${d.deadSince}</td><td>${action(`/ops/dead-letters/${encodeURIComponent(d.id)}/replay`, 'Replay')}</td></tr>`,
  );
  const disabled = view.disabledEndpoints.map(
    (e) =>
      html`<tr><td><code>${e.id}</code></td><td>${e.tenantId}</td><td>${e.reason ?? '—'}</td><td>${e.disabledAt}</td></tr>`,
  );
  const tasks = view.manualTasks.map(
    (m) =>
      html`<tr><td><code>${m.id}</code></td><td>${m.kind}</td><td>${m.provider} ${m.operation}</td><td><code>${m.subjectRef}</code></td><td>${m.summary}</td><td>${m.reason}</td><td>${m.createdAt}</td><td>${action(`/ops/manual-tasks/${encodeURIComponent(m.id)}/done`, 'Mark done')}</td></tr>`,
  );
  const hl7Failed = view.hl7Failed.map(
    (m) =>
      html`<tr><td><code>${m.id}</code></td><td>${m.tenantId}</td><td>${m.sender}</td><td>${m.event}</td><td><code>${m.controlId}</code></td><td>${m.reason ?? '—'}</td><td>${m.attempts}</td><td>${m.receivedAt}</td><td>${action(`/ops/hl7/messages/${encodeURIComponent(m.id)}/retry`, 'Retry')}</td></tr>`,
  );
  const hl7Rejects = view.hl7Rejects.map(
    (r) =>
      html`<tr><td><code>${r.id}</code></td><td>${r.kind}${r.ackCode ? html` (${r.ackCode})` : ''}</td><td>${r.sender ?? '—'}</td><td>${r.sourceAddress}</td><td>${r.reason}</td><td><code>${r.preview}</code></td><td>${r.byteLength}</td><td>${r.count}</td><td>${r.lastSeenAt}</td><td><a href="/ops/hl7/rejects/${encodeURIComponent(r.id)}">Bytes</a></td></tr>`,
  );
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ClinicBridge operations</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><h1>ClinicBridge operations</h1>
${view.notice ? html`<p class="notice" role="status">${view.notice}</p>` : ''}
${table('Open alerts', ['id', 'kind', 'tenant', 'message', 'raised', ''], alerts, 'No open alerts.')}
${table('Inbound webhooks needing attention', ['id', 'provider', 'event type', 'status', 'reason', 'attempts', 'received', ''], inbound, 'Every inbound webhook was processed.')}
${table('Dead letters', ['id', 'tenant', 'endpoint', 'event type', 'attempts', 'last error', 'dead since', ''], dead, 'The dead-letter queue is empty.')}
${table('Manual tasks', ['id', 'kind', 'provider', 'subject', 'task', 'reason', 'recorded', ''], tasks, 'No manual task is waiting.')}
${table('HL7 messages that could not be applied', ['id', 'tenant', 'sender', 'event', 'control id', 'reason', 'attempts', 'received', ''], hl7Failed, 'Every stored HL7 message was applied.')}
${table('HL7 refusals and unreadable bytes', ['id', 'kind', 'sender', 'from', 'reason', 'structure', 'bytes', 'times', 'last seen', ''], hl7Rejects, 'The HL7 listener has refused nothing.')}
${table('Disabled webhook endpoints', ['id', 'tenant', 'reason', 'disabled'], disabled, 'No endpoint is disabled.')}
</body></html>`;
}

/**
 * One HL7 refusal with its bytes as text (escaped; control characters
 * shown as `·`, segment breaks as line breaks), for the operator who opened it.
 *
 * @example
 * return c.html(renderHl7RejectPage(await getReject(db, id)));
 */
export function renderHl7RejectPage(reject: Hl7RejectSummary & { raw: string }): Markup {
  const text = reject.raw
    .replace(/\r\n|\r|\n/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces.
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '·');
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>HL7 refusal ${reject.id}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.5rem}</style></head>
<body><p><a href="/ops">← operations</a></p><h1>HL7 refusal <code>${reject.id}</code></h1>
<p>${reject.kind}${reject.ackCode ? ` (answered ${reject.ackCode})` : ''} from ${reject.sourceAddress}${reject.sender ? `, ${reject.sender}` : ''}; seen ${reject.count} time(s), last ${reject.lastSeenAt}; ${reject.byteLength} bytes.</p>
<p>${reject.reason}</p>
<p class="empty">These bytes may hold patient data: do not copy them outside the operations team.</p>
<pre>${text}</pre>
</body></html>`;
}
