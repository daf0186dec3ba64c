/**
 * `POST /webhooks/shipping/easypost`: EasyPost's tracking events, verified
 * with its `X-Hmac-Signature` (HMAC-SHA256 of the raw body with
 * `EASYPOST_WEBHOOK_SECRET`) before anything is read. A verified
 * `tracker.updated` moves the shipment of its tracker (see
 * `applyTracking`); other events and unknown trackers are acknowledged and
 * ignored. A bad signature is 401 `webhook_verification_failed`.
 */
import { isProviderError, type Shipping } from '@clinicbridge/adapters';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppEnv } from '../http/context.ts';
import { readBodyBytes } from '../kernel/body.ts';
import { ApiError } from '../kernel/problem.ts';
import { applyTracking } from './service.ts';

/** Largest tracking webhook body read. */
const WEBHOOK_BODY_LIMIT = 262_144;

/**
 * Mounts the tracking webhook route.
 *
 * @example
 * mountShippingRoutes(app, { db, shipping: () => providers.shipping, now, pollIntervalMs });
 */
export function mountShippingRoutes(
  app: Hono<AppEnv>,
  deps: {
    db: Kysely<DB>;
    shipping: () => Shipping | undefined;
    now: () => Date;
    pollIntervalMs: number;
  },
): void {
  app.post('/webhooks/shipping/easypost', async (c) => {
    const shipping = deps.shipping();
    if (!shipping) throw new ApiError('not_found', 'No shipping provider is configured here.');
    const raw = await readBodyBytes(c.req.raw, WEBHOOK_BODY_LIMIT, 'Webhook bodies');
    let status: ReturnType<Shipping['parseWebhook']>;
    try {
      status = shipping.parseWebhook({ rawBody: raw, headers: c.req.raw.headers });
    } catch (error) {
      if (!isProviderError(error)) throw error;
      if (error.code === 'auth_failed') {
        throw new ApiError(
          'webhook_verification_failed',
          'The X-Hmac-Signature does not match the body; check EASYPOST_WEBHOOK_SECRET.',
        );
      }
      throw new ApiError('invalid_request', 'The body is not an EasyPost tracking event.');
    }
    const changed = status
      ? await deps.db
          .transaction()
          .execute((trx) => applyTracking(trx, status, deps.now(), deps.pollIntervalMs))
      : false;
    return c.json({ received: true, changed }, 200);
  });
}
