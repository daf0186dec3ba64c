/**
 * Inbound webhooks as a provider sends them: signed with Standard Webhooks
 * (or carrying the provider's own token), posted to `/webhooks/{provider}`, then handled by the inbound processor
 * in the background.
 */
import { getScheme } from '@clinicbridge/webhooks';
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../../src/db/schema.ts';
import { until } from './until.ts';

/** What the inbound processor made of a webhook. */
export interface InboundOutcome {
  status: string;
  reason: string | null;
}

/**
 * Posts `body` as webhook `id` of `provider`, signed with `secret` (or, for
 * a provider authenticating with its own token, with `headers` alone);
 * expects 202 and resolves once the processor has handled it (any status
 * but `received`).
 *
 * @example
 * const outcome = await sendInbound(server.url, db, { provider: 'visa', id: 'vw_1', body, secret });
 * expect(outcome.status).toBe('processed');
 */
export async function sendInbound(
  serverUrl: string,
  db: Kysely<DB>,
  webhook: {
    provider: string;
    id: string;
    body: string;
    secret?: string;
    headers?: Record<string, string>;
  },
): Promise<InboundOutcome> {
  const { provider, id, body, secret } = webhook;
  const signed =
    secret === undefined ? {} : getScheme('standard').signSync({ id, payload: body, secret });
  const res = await fetch(`${serverUrl}/webhooks/${provider}`, {
    method: 'POST',
    headers: { ...signed, ...webhook.headers, 'content-type': 'application/json' },
    body,
  });
  await res.body?.cancel();
  expect(res.status).toBe(202);
  return until(async () => {
    const row = await db
      .selectFrom('inbound_webhooks')
      .select(['status', 'reason'])
      .where('provider', '=', provider)
      .where('provider_event_id', '=', id)
      .executeTakeFirst();
    return row && row.status !== 'received' ? row : undefined;
  }, `${provider} webhook ${id} to be processed`);
}
