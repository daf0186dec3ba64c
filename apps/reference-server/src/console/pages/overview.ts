/**
 * The overview at `/ops`: what failed and a button to act on it — open
 * alerts (resolve), inbound webhooks needing attention (retry), dead
 * letters (replay), HL7 messages that failed (retry) and refusals (open the
 * bytes), disabled endpoints — and the latest operator actions.
 */
import { html } from 'hono/html';
import type { FailedHl7Message } from '../../hl7/console.ts';
import type { Hl7RejectSummary } from '../../hl7/rejects.ts';
import type { InboundWebhookSummary } from '../../inbound/console.ts';
import type { OperatorActionRow } from '../audit.ts';
import type { Staff } from '../identity/staff.ts';
import type { DeadLetterRow, DisabledEndpointRow } from '../queries.ts';
import {
  type Markup,
  type Notice,
  opsPage,
  postButton,
  table,
  tenantLabel,
  timeAgo,
} from './layout.ts';

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
 * Everything the overview shows.
 *
 * @example
 * const view: OpsView = { alerts: [], inbound: [], deadLetters: [], disabledEndpoints: [], openTasks: 0, hl7Failed: [], hl7Rejects: [], recentActions: [], tenantNames: new Map(), notice: null, now: new Date() };
 */
export interface OpsView {
  alerts: readonly AlertRow[];
  inbound: readonly InboundWebhookSummary[];
  deadLetters: readonly DeadLetterRow[];
  disabledEndpoints: readonly DisabledEndpointRow[];
  /** How many manual tasks are open (they are listed on /ops/tasks). */
  openTasks: number;
  hl7Failed: readonly FailedHl7Message[];
  hl7Rejects: readonly Hl7RejectSummary[];
  /** The latest actions taken on these pages (the operator audit trail). */
  recentActions: readonly OperatorActionRow[];
  /** Names of the tenants the rows mention, by id. */
  tenantNames: ReadonlyMap<string, string>;
  notice: Notice | null;
  staff?: Staff | undefined;
  /** The time relative times are counted from. */
  now: Date;
  /** Sections other features render, shown at the end (the imports' progress). */
  sections?: readonly Markup[];
}

/**
 * A webhook endpoint by its description (else its address), linked to its page.
 *
 * @example
 * endpointLink('whep_1', 'Front desk app', 'https://hooks.example.com/in');
 */
export function endpointLink(id: string, name: string | null, url: string | null): Markup {
  return html`<a href="/ops/endpoints/${encodeURIComponent(id)}" title="${url ?? id}">${name || url || id}</a>`;
}

/**
 * Renders the overview.
 *
 * @example
 * return sendPage(c, renderOpsPage(view));
 */
export function renderOpsPage(view: OpsView): Markup {
  const { now, tenantNames: names } = view;
  const when = (iso: string) => timeAgo(iso, now);
  const alerts = view.alerts.map((a) => [
    a.kind.replaceAll('_', ' '),
    tenantLabel(a.tenantId, names),
    a.message,
    when(a.createdAt),
    postButton(`/ops/alerts/${encodeURIComponent(a.id)}/resolve`, 'Resolve'),
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
      ? postButton(`/ops/inbound/${encodeURIComponent(w.id)}/retry`, 'Retry')
      : html`<span class="empty">fix the sender</span>`,
  ]);
  const dead = view.deadLetters.map((d) => [
    html`${d.eventType} <code class="muted">${d.id}</code>`,
    tenantLabel(d.tenantId, names),
    html`${endpointLink(d.endpointId, d.endpointName, d.endpointUrl)}${d.endpointEnabled ? '' : html` <strong>(disabled)</strong>`}`,
    d.attempts,
    d.lastError ?? '—',
    when(d.deadSince),
    postButton(`/ops/dead-letters/${encodeURIComponent(d.id)}/replay`, 'Replay'),
  ]);
  const disabled = view.disabledEndpoints.map((e) => [
    endpointLink(e.id, e.name, e.url),
    tenantLabel(e.tenantId, names),
    e.reason ?? '—',
    when(e.disabledAt),
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
    postButton(`/ops/hl7/messages/${encodeURIComponent(m.id)}/retry`, 'Retry'),
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
  const tasks =
    view.openTasks === 0
      ? html`<p class="empty">No manual task is waiting.</p>`
      : html`<p><a href="/ops/tasks">${view.openTasks} manual task${view.openTasks === 1 ? '' : 's'} waiting for a person</a></p>`;
  return opsPage({
    title: 'ClinicBridge operations',
    path: '/ops',
    notice: view.notice,
    staff: view.staff,
    body: html`${tasks}
${table('Open alerts', ['kind', 'tenant', 'message', 'raised', ''], alerts, 'No open alerts.')}
${table('Dead letters', ['event', 'tenant', 'endpoint', 'attempts', 'last error', 'dead since', ''], dead, 'The dead-letter queue is empty.')}
${table('Inbound webhooks needing attention', ['id', 'provider', 'event type', 'status', 'reason', 'attempts', 'received', ''], inbound, 'Every inbound webhook was processed.')}
${table('HL7 messages that could not be applied', ['id', 'tenant', 'sender', 'event', 'control id', 'reason', 'attempts', 'received', ''], hl7Failed, 'Every stored HL7 message was applied.')}
${table('HL7 refusals and unreadable bytes', ['id', 'kind', 'sender', 'from', 'reason', 'structure', 'bytes', 'times', 'last seen', ''], hl7Rejects, 'The HL7 listener has refused nothing.')}
${table('Disabled webhook endpoints', ['endpoint', 'tenant', 'reason', 'disabled'], disabled, 'No endpoint is disabled.')}
${table('Recent operator actions', ['when', 'operator', 'action', 'item', 'tenant', 'outcome'], recent, 'No operator action yet.')}
${view.sections ?? ''}`,
  });
}
