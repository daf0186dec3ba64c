/**
 * `POST /webhooks/:provider`: verify the provider's signature on the raw
 * body, store the webhook durably (deduplicated on the provider's event
 * id), and answer 2xx at once. Processing happens afterwards on the bus, so
 * a slow domain update never makes a provider time out and retry. A
 * verified body holding a NUL character (a raw 0x00 byte, or `\u0000` in a
 * JSON string or key) is refused with 400: PostgreSQL cannot store it, and
 * the processor could never apply it.
 */
import { getScheme, isWebhookVerificationError } from '@clinicbridge/webhooks';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppEnv } from '../http/context.ts';
import { rejectNulCharacters } from '../http/validate.ts';
import { readBodyBytes } from '../kernel/body.ts';
import { ApiError } from '../kernel/problem.ts';
import type { InboundConfig } from './config.ts';
import { inboundProviders, isProviderName, providerEventId } from './providers.ts';
import type { InboundDedupe } from './redis-dedupe.ts';
import { storeInboundWebhook } from './store.ts';

/**
 * What the inbound routes need.
 *
 * @example
 * mountInboundRoutes(app, { db, config, now: () => new Date(), wake: () => {} });
 */
export interface InboundRouteDeps {
  readonly db: Kysely<DB>;
  readonly config: InboundConfig;
  readonly now: () => Date;
  /** Wakes the processor once a webhook is stored. */
  readonly wake: () => void;
  /** The shared dedupe store (Redis), when configured. */
  readonly dedupe?: InboundDedupe;
}

function parseJson(raw: Uint8Array): { payload: unknown; reason: string | null } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { payload: undefined, reason: 'the body is not valid UTF-8' };
  }
  try {
    const payload: unknown = JSON.parse(text);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      return { payload, reason: 'the body is JSON but not an object' };
    }
    return { payload, reason: null };
  } catch {
    return { payload: undefined, reason: 'the body is not valid JSON' };
  }
}

function eventTypeOf(payload: unknown): string | null {
  // Stripe and Standard Webhooks say `type`, Razorpay `event`, iyzico `iyziEventType`.
  const named = payload as { type?: unknown; event?: unknown; iyziEventType?: unknown } | undefined;
  const type = named?.type ?? named?.event ?? named?.iyziEventType;
  if (typeof type === 'string') return type.slice(0, 100);
  // Meta sends `object` + `field` instead of a type.
  const field = (payload as { entry?: { changes?: { field?: unknown }[] }[] } | undefined)
    ?.entry?.[0]?.changes?.[0]?.field;
  return typeof field === 'string' ? field.slice(0, 100) : null;
}

/**
 * Mounts `POST /webhooks/:provider`.
 *
 * @example
 * mountInboundRoutes(app, { db, config: loadConfig(process.env, [inboundConfig]), now: () => new Date(), wake });
 */
export function mountInboundRoutes(app: Hono<AppEnv>, deps: InboundRouteDeps): void {
  app.post('/webhooks/:provider', async (c) => {
    const name = c.req.param('provider');
    const provider = isProviderName(name) ? inboundProviders[name] : undefined;
    const secret = provider ? deps.config[provider.secretVariable] : undefined;
    if (!provider || typeof secret !== 'string') {
      throw new ApiError(
        'not_found',
        `No inbound webhook provider "${name.slice(0, 40)}" is configured here.`,
      );
    }
    const raw = await readBodyBytes(
      c.req.raw,
      deps.config.INBOUND_BODY_LIMIT_BYTES,
      'Webhook bodies',
    );
    const now = deps.now();
    try {
      // Several comma-separated secrets are all accepted, so a provider's secret can be rotated.
      const secrets = secret
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
      if (provider.verify) await provider.verify(raw, c.req.raw.headers, secrets);
      else
        await getScheme(provider.scheme).verify(raw, c.req.raw.headers, secrets, {
          parse: false,
          toleranceSeconds: deps.config.INBOUND_TOLERANCE_SECONDS,
          now: () => now.getTime(),
        });
    } catch (error) {
      if (!isWebhookVerificationError(error)) throw error;
      throw new ApiError('webhook_verification_failed', error.message, {
        errors: [{ path: 'headers', message: error.message, code: error.code }],
      });
    }
    if (raw.includes(0)) rejectNulCharacters('body', '\u0000');
    const { payload, reason } = parseJson(raw);
    rejectNulCharacters('body', payload);
    const stored = await storeInboundWebhook(
      deps.db,
      {
        provider: provider.name,
        providerEventId: providerEventId(provider, payload, c.req.raw.headers, raw),
        eventType: reason === null ? eventTypeOf(payload) : null,
        rawBody: Buffer.from(raw).toString(
          reason === 'the body is not valid UTF-8' ? 'base64' : 'utf8',
        ),
        unparseableReason: reason,
        now,
      },
      deps.dedupe,
    );
    if (!stored.duplicate && reason === null) deps.wake();
    return c.json(
      { received: true, id: stored.id, duplicate: stored.duplicate },
      stored.duplicate ? 200 : 202,
    );
  });
}
