/**
 * `POST /webhooks/:provider`: verify the provider's signature on the raw
 * body (or, for the ABDM gateway, its bearer token: bearer-auth.ts), store the webhook durably (deduplicated on the provider's event
 * id), and answer 2xx at once. Processing happens afterwards on the bus, so
 * a slow domain update never makes a provider time out and retry. A
 * verified body holding a NUL character (a raw 0x00 byte, or `\u0000` in a
 * JSON string or key) is refused with 400: PostgreSQL cannot store it, and
 * the processor could never apply it. A body is a JSON object, except
 * HubSpot's, which is a JSON array of events (its signature also covers the
 * method and the URL, so the check gets both).
 */
import { getScheme, isWebhookVerificationError } from '@clinicbridge/webhooks';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { AppEnv } from '../http/context.ts';
import { rejectNulCharacters } from '../http/validate.ts';
import { readBodyBytes } from '../kernel/body.ts';
import { ApiError } from '../kernel/problem.ts';
import { bearerChecks } from './bearer-auth.ts';
import type { InboundConfig } from './config.ts';
import {
  type InboundProvider,
  inboundProviders,
  isProviderName,
  providerEventId,
} from './providers.ts';
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

function parseJson(
  raw: Uint8Array,
  arrayBody: boolean,
): { payload: unknown; reason: string | null } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return { payload: undefined, reason: 'the body is not valid UTF-8' };
  }
  try {
    const payload: unknown = JSON.parse(text);
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload) !== arrayBody) {
      return {
        payload,
        reason: arrayBody
          ? 'the body is JSON but not an array'
          : 'the body is JSON but not an object',
      };
    }
    return { payload, reason: null };
  } catch {
    return { payload: undefined, reason: 'the body is not valid JSON' };
  }
}

function eventTypeOf(payload: unknown): string | null {
  // HubSpot batches events in an array, each with its `subscriptionType`.
  if (Array.isArray(payload)) {
    const first = (payload[0] as { subscriptionType?: unknown } | undefined)?.subscriptionType;
    return typeof first === 'string' ? first.slice(0, 100) : null;
  }
  // Stripe and Standard Webhooks say `type`, Razorpay `event`, iyzico `iyziEventType`.
  const named = payload as { type?: unknown; event?: unknown; iyziEventType?: unknown } | undefined;
  const type = named?.type ?? named?.event ?? named?.iyziEventType;
  if (typeof type === 'string') return type.slice(0, 100);
  // Meta sends `object` + `field` instead of a type.
  const field = (payload as { entry?: { changes?: { field?: unknown }[] }[] } | undefined)
    ?.entry?.[0]?.changes?.[0]?.field;
  return typeof field === 'string' ? field.slice(0, 100) : null;
}

/** Checks a provider's shared-secret signature on the raw body (rotation: several secrets). */
async function verifySignature(
  provider: InboundProvider,
  raw: Uint8Array,
  headers: Headers,
  secret: string,
  deps: InboundRouteDeps,
  now: Date,
  request: { readonly method: string; readonly urls: readonly string[]; readonly now: Date },
): Promise<void> {
  try {
    // Several comma-separated secrets are all accepted, so a provider's secret can be rotated.
    const secrets = secret
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
    if (provider.verify) await provider.verify(raw, headers, secrets, request);
    else
      await getScheme(provider.scheme).verify(raw, headers, secrets, {
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
}

/**
 * Mounts `POST /webhooks/:provider`.
 *
 * @example
 * mountInboundRoutes(app, { db, config: loadConfig(process.env, [inboundConfig]), now: () => new Date(), wake });
 */
export function mountInboundRoutes(app: Hono<AppEnv>, deps: InboundRouteDeps): void {
  const bearer = bearerChecks(deps.config);
  app.post('/webhooks/:provider', async (c) => {
    const name = c.req.param('provider');
    const provider = isProviderName(name) ? inboundProviders[name] : undefined;
    const secret = provider ? deps.config[provider.secretVariable] : undefined;
    const bearerCheck = provider?.bearer ? bearer[provider.name] : undefined;
    if (!provider || typeof secret !== 'string' || (provider.bearer && !bearerCheck)) {
      throw new ApiError(
        'not_found',
        `No inbound webhook provider "${name.slice(0, 40)}" is configured here.`,
      );
    }
    // A bearer token is checked before the body is read: a refused caller costs nothing more.
    if (bearerCheck) await bearerCheck(c.req.raw.headers);
    const raw = await readBodyBytes(
      c.req.raw,
      deps.config.INBOUND_BODY_LIMIT_BYTES,
      'Webhook bodies',
    );
    const now = deps.now();
    if (!bearerCheck) {
      const publicUrl = provider.publicUrlVariable
        ? deps.config[provider.publicUrlVariable]
        : undefined;
      const urls = typeof publicUrl === 'string' ? [c.req.url, publicUrl] : [c.req.url];
      await verifySignature(provider, raw, c.req.raw.headers, secret, deps, now, {
        method: c.req.method,
        urls,
        now,
      });
    }
    if (raw.includes(0)) rejectNulCharacters('body', '\u0000');
    const { payload, reason } = parseJson(raw, provider.arrayBody === true);
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
