/**
 * The webhook endpoint pages: `/ops/endpoints` lists every tenant's
 * endpoints by name and address; `/ops/endpoints/:id` shows one endpoint's
 * latest deliveries, each with its attempts (when, the answer, the error in
 * words) and a Replay button on dead letters.
 */
import { html } from 'hono/html';
import type { EndpointDelivery, EndpointRow } from '../endpoints.ts';
import { deliveryStatusText } from '../format.ts';
import type { Staff } from '../identity/staff.ts';
import {
  type Markup,
  type Notice,
  opsPage,
  postButton,
  table,
  tenantLabel,
  timeAgo,
} from './layout.ts';
import { endpointLink } from './overview.ts';

function endpointState(e: EndpointRow, now: Date): Markup {
  if (!e.enabled)
    return html`<strong>disabled</strong>${e.disabledReason ? html` — ${e.disabledReason}` : ''}`;
  if (e.failingSince) return html`failing since ${timeAgo(e.failingSince, now)}`;
  return html`enabled`;
}

/**
 * The list of endpoints.
 *
 * @example
 * return sendPage(c, renderEndpointsPage({ endpoints, tenantNames, notice: null, now }));
 */
export function renderEndpointsPage(view: {
  readonly endpoints: readonly EndpointRow[];
  readonly tenantNames: ReadonlyMap<string, string>;
  readonly notice: Notice | null;
  readonly staff?: Staff | undefined;
  readonly now: Date;
}): Markup {
  const rows = view.endpoints.map((e) => [
    endpointLink(e.id, e.name, e.url),
    html`<code>${e.url}</code>`,
    tenantLabel(e.tenantId, view.tenantNames),
    endpointState(e, view.now),
    timeAgo(e.updatedAt, view.now),
  ]);
  return opsPage({
    title: 'Webhook endpoints',
    path: '/ops/endpoints',
    notice: view.notice,
    staff: view.staff,
    body: table(
      'Endpoints',
      ['endpoint', 'address', 'tenant', 'state', 'changed'],
      rows,
      'No tenant has a webhook endpoint yet.',
    ),
  });
}

function attemptList(d: EndpointDelivery, now: Date): Markup | string {
  if (d.attempts.length === 0) return html`<span class="muted">not tried yet</span>`;
  return html`<ol class="attempts">${d.attempts.map(
    (a) =>
      html`<li>${timeAgo(a.at, now)}: ${a.error ?? (a.status === null ? 'sent' : `delivered (${a.status})`)} <span class="muted">${a.latencyMs} ms</span></li>`,
  )}</ol>`;
}

/**
 * One endpoint with its latest deliveries and their attempts.
 *
 * @example
 * return sendPage(c, renderEndpointPage({ endpoint, deliveries, tenantNames, notice: null, now }));
 */
export function renderEndpointPage(view: {
  readonly endpoint: EndpointRow;
  readonly deliveries: readonly EndpointDelivery[];
  readonly tenantNames: ReadonlyMap<string, string>;
  readonly notice: Notice | null;
  readonly staff?: Staff | undefined;
  readonly now: Date;
}): Markup {
  const { endpoint: e, now } = view;
  const rows = view.deliveries.map((d) => [
    html`${d.eventType} <code class="muted">${d.id}</code>`,
    html`${deliveryStatusText(d.status)}${
      d.status === 'failed' && d.nextAttemptAt
        ? html`; next try ${timeAgo(d.nextAttemptAt, now)}`
        : ''
    }`,
    timeAgo(d.createdAt, now),
    attemptList(d, now),
    d.status === 'dead'
      ? postButton(`/ops/dead-letters/${encodeURIComponent(d.id)}/replay`, 'Replay', {
          back: `/ops/endpoints/${e.id}`,
        })
      : '',
  ]);
  return opsPage({
    title: e.name ?? e.url,
    path: '/ops/endpoints',
    notice: view.notice,
    staff: view.staff,
    body: html`<dl>
<dt>Address</dt><dd><code>${e.url}</code></dd>
<dt>Tenant</dt><dd>${tenantLabel(e.tenantId, view.tenantNames)}</dd>
<dt>State</dt><dd>${endpointState(e, now)}</dd>
<dt>Id</dt><dd><code>${e.id}</code></dd>
</dl>
${table('Latest deliveries', ['event', 'status', 'created', 'attempts', ''], rows, 'Nothing was sent to this endpoint yet.')}`,
  });
}
