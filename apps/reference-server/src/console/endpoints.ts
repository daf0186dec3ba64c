/**
 * What the endpoint pages read: every tenant's webhook endpoints, and for
 * one endpoint its recent deliveries with each attempt's answer in words.
 * Addresses are shown without their user, query or fragment, and no
 * payload, secret or response body leaves here.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import { describeAttemptError, displayUrl } from './format.ts';
import { clip } from './queries.ts';

/**
 * A webhook endpoint as the pages show it.
 *
 * @example
 * const row: EndpointRow = { id: 'whep_…', tenantId: 'ten_…', name: 'Front desk app', url: 'https://hooks.example.com/in', enabled: true, disabledReason: null, failingSince: null, createdAt: '…', updatedAt: '…' };
 */
export interface EndpointRow {
  id: string;
  tenantId: string;
  /** The description the clinic gave it. */
  name: string | null;
  url: string;
  enabled: boolean;
  disabledReason: string | null;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

const ENDPOINT_COLUMNS = [
  'id',
  'tenant_id',
  'description',
  'url',
  'enabled',
  'disabled_reason',
  'failing_since',
  'created_at',
  'updated_at',
] as const;

function endpointRow(r: {
  id: string;
  tenant_id: string;
  description: string | null;
  url: string;
  enabled: boolean;
  disabled_reason: string | null;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}): EndpointRow {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    name: clip(r.description),
    url: displayUrl(r.url),
    enabled: r.enabled,
    disabledReason: clip(r.disabled_reason),
    failingSince: r.failing_since?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/**
 * Every tenant's endpoints: disabled and failing ones first, then by name.
 *
 * @example
 * const endpoints = await listEndpoints(db);
 */
export async function listEndpoints(db: Kysely<DB>, limit = 200): Promise<EndpointRow[]> {
  const rows = await db
    .selectFrom('webhook_endpoints')
    .select(ENDPOINT_COLUMNS)
    .orderBy('enabled', 'asc')
    .orderBy(sql`failing_since is null`)
    .orderBy('tenant_id')
    .orderBy('description')
    .orderBy('id')
    .limit(Math.min(limit, 1_000))
    .execute();
  return rows.map(endpointRow);
}

/**
 * One delivery attempt, in words.
 *
 * @example
 * const attempt: AttemptRow = { at: '…', status: 410, latencyMs: 12, error: 'Answered 410 Gone: …' };
 */
export interface AttemptRow {
  at: string;
  status: number | null;
  latencyMs: number;
  /** What went wrong, as a sentence; null when it was delivered. */
  error: string | null;
}

/**
 * One delivery to an endpoint with its attempts (oldest attempt first).
 *
 * @example
 * const row: EndpointDelivery = { id: 'dlv_…', eventType: 'appointment.created', status: 'failed', createdAt: '…', nextAttemptAt: '…', attempts: [] };
 */
export interface EndpointDelivery {
  id: string;
  eventType: string;
  status: string;
  createdAt: string;
  nextAttemptAt: string | null;
  attempts: AttemptRow[];
}

/** Attempts shown per delivery: the latest ones (a dead letter has at most a handful more). */
const ATTEMPTS_SHOWN = 10;

/**
 * An endpoint and its latest deliveries with their attempts; null when no
 * endpoint has that id.
 *
 * @example
 * const page = await endpointDeliveries(db, 'whep_…');
 */
export async function endpointDeliveries(
  db: Kysely<DB>,
  id: string,
  limit = 50,
): Promise<{ endpoint: EndpointRow; deliveries: EndpointDelivery[] } | null> {
  const endpoint = await db
    .selectFrom('webhook_endpoints')
    .select(ENDPOINT_COLUMNS)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!endpoint) return null;
  const deliveries = await db
    .selectFrom('deliveries')
    .select(['id', 'event_type', 'status', 'created_at', 'next_attempt_at'])
    .where('endpoint_id', '=', id)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(limit, 200))
    .execute();
  const attempts = new Map<string, AttemptRow[]>();
  if (deliveries.length > 0) {
    const rows = await db
      .selectFrom('delivery_attempts')
      .select(['delivery_id', 'attempted_at', 'response_status', 'latency_ms', 'error'])
      .where(
        'delivery_id',
        'in',
        deliveries.map((d) => d.id),
      )
      .orderBy('attempted_at', 'desc')
      .limit(deliveries.length * ATTEMPTS_SHOWN)
      .execute();
    for (const r of rows) {
      const list = attempts.get(r.delivery_id) ?? [];
      if (list.length >= ATTEMPTS_SHOWN) continue;
      list.unshift({
        at: r.attempted_at.toISOString(),
        status: r.response_status,
        latencyMs: r.latency_ms,
        error: clip(describeAttemptError(r.response_status, r.error)),
      });
      attempts.set(r.delivery_id, list);
    }
  }
  return {
    endpoint: endpointRow(endpoint),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      eventType: d.event_type,
      status: d.status,
      createdAt: d.created_at.toISOString(),
      nextAttemptAt: d.next_attempt_at?.toISOString() ?? null,
      attempts: attempts.get(d.id) ?? [],
    })),
  };
}
