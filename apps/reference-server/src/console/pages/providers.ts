/**
 * `/ops/providers`: each external provider's circuit breaker (closed,
 * half-open, open) and its calls and failures since the server started,
 * and the providers that are not configured.
 */
import { html } from 'hono/html';
import { breakerText } from '../format.ts';
import type { Staff } from '../identity/staff.ts';
import type { ProviderHealth } from '../providers.ts';
import { type Markup, type Notice, opsPage, table } from './layout.ts';

/**
 * The providers page.
 *
 * @example
 * return sendPage(c, renderProvidersPage({ providers, absent: ['amadeus'], notice: null }));
 */
export function renderProvidersPage(view: {
  readonly providers: readonly ProviderHealth[];
  readonly absent: readonly string[];
  readonly notice: Notice | null;
  readonly staff?: Staff | undefined;
}): Markup {
  // A provider the metrics know of has an adapter after all (a test double, say).
  const absent = view.absent.filter((name) => !view.providers.some((p) => p.provider === name));
  const rows = view.providers.map((p) => [
    html`<strong>${p.provider}</strong>`,
    html`<span class="state-${p.breaker}">${breakerText(p.breaker)}</span>`,
    p.calls,
    p.failed,
    Object.entries(p.errors)
      .map(([type, n]) => `${type.replaceAll('_', ' ')} ×${n}`)
      .join(', ') || '—',
  ]);
  return opsPage({
    title: 'Providers',
    path: '/ops/providers',
    notice: view.notice,
    staff: view.staff,
    body: html`${table(
      'Circuit breakers',
      ['provider', 'breaker', 'calls', 'failed', 'failures by kind'],
      rows,
      'No provider has been called since the server started.',
    )}
<p class="muted">Counts are since this server process started. While a breaker is open the adapter refuses calls at once and leaves the work as a manual task.</p>
${absent.length > 0 ? html`<h2>Not configured</h2><p>${absent.join(', ')}</p>` : ''}`,
  });
}
