/**
 * `@clinicbridge/webhooks/meta`: Meta (WhatsApp Cloud API, Messenger,
 * Instagram) and GitHub webhooks, both `X-Hub-Signature-256: sha256=<hex>`,
 * HMAC-SHA256 of the raw body keyed with the app secret as UTF-8.
 *
 * Neither signs a timestamp, so a captured request stays valid forever:
 * always deduplicate (GitHub's `X-GitHub-Delivery`; for Meta, the message or
 * change ids inside the payload).
 */
import { createHmacScheme } from '../hmac/index.ts';
import type { WebhookScheme } from '../scheme.ts';

const hubSignature = { header: 'x-hub-signature-256', prefix: 'sha256=' } as const;

/**
 * Meta / WhatsApp Cloud API scheme. Pass the app secret (not the verify token).
 *
 * @example
 * ```ts
 * import { metaScheme } from '@clinicbridge/webhooks/meta';
 *
 * const update = await metaScheme.verify(rawBody, request.headers, process.env.META_APP_SECRET!);
 * ```
 */
export const metaScheme: WebhookScheme = createHmacScheme({ name: 'meta', ...hubSignature });

/**
 * GitHub scheme: same signature as Meta; `eventId` is the `X-GitHub-Delivery` header.
 *
 * @example
 * ```ts
 * import { githubScheme } from '@clinicbridge/webhooks/meta';
 *
 * const push = await githubScheme.verify(rawBody, request.headers, process.env.GITHUB_WEBHOOK_SECRET!);
 * ```
 */
export const githubScheme: WebhookScheme = createHmacScheme({
  name: 'github',
  ...hubSignature,
  eventIdHeader: 'x-github-delivery',
});

/**
 * Alias of {@link githubScheme}.
 *
 * @example
 * ```ts
 * import { github } from '@clinicbridge/webhooks/meta';
 * ```
 */
export const github: WebhookScheme = githubScheme;

/**
 * Alias of {@link metaScheme}.
 *
 * @example
 * ```ts
 * import { meta } from '@clinicbridge/webhooks/meta';
 * ```
 */
export const meta: WebhookScheme = metaScheme;
