/**
 * Per-sender daily quotas of the messaging composer (issue 14, item 13).
 * WhatsApp lets a business number send 1,000 business-initiated messages a
 * day at its first tier, so every configured sender has a cap per UTC day
 * (`WHATSAPP_DAILY_QUOTA`, `SMS_DAILY_QUOTA`, `EMAIL_DAILY_QUOTA`). Past it
 * the composer falls back to the next channel (WhatsApp → SMS) or, with
 * `MESSAGING_QUOTA_EXHAUSTED=defer`, the notification waits for the next
 * UTC day.
 *
 * The count holds across server processes: a unit is taken before the send
 * by an atomic upsert on one PostgreSQL row per sender and day
 * (`messaging_sender_quota`), in the caller's transaction when there is one,
 * so a handling that rolls back gives its unit back; or, with `REDIS_URL`,
 * by a Lua script on one Redis key per sender and day, falling back to the
 * PostgreSQL row while Redis does not answer. A failed send gives its unit
 * back. `messaging_sender_quota_remaining{channel,sender}` shows what is left.
 */
import type { MessagingChannel } from '@clinicbridge/adapters';
import type { QuotaStore, SenderQuotaOptions } from '@clinicbridge/adapters/messaging';
import { type Kysely, sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import type { SharedRedis } from '../redis/client.ts';
import { RedisOutage } from '../redis/outage.ts';
import { callDatabase } from './audit.ts';

/**
 * One counter row per sender and UTC day.
 *
 * @example
 * await db.selectFrom('messaging_sender_quota').select('used').where('sender', '=', 'whatsapp:1234').execute();
 */
export interface MessagingSenderQuotaTable {
  sender: string;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  used: number;
}

declare module '../db/schema.ts' {
  interface DB {
    messaging_sender_quota: MessagingSenderQuotaTable;
  }
}

const dailyQuota = z.coerce.number().int().min(0).max(10_000_000);

/**
 * The quota variables of the messaging section.
 *
 * @example
 * senderQuotaConfig.parse({ WHATSAPP_DAILY_QUOTA: '250', MESSAGING_QUOTA_EXHAUSTED: 'defer' });
 */
export const senderQuotaConfig = z.object({
  /** Business-initiated WhatsApp messages per sender number and UTC day; 0 turns the cap off. */
  WHATSAPP_DAILY_QUOTA: dailyQuota.default(1000),
  /** SMS per sender and UTC day; no cap when unset. */
  SMS_DAILY_QUOTA: dailyQuota.optional(),
  /** Emails per sender address and UTC day; no cap when unset. */
  EMAIL_DAILY_QUOTA: dailyQuota.optional(),
  /** Past a sender's cap: `fallback` to the next channel (WhatsApp → SMS) or `defer` to the next UTC day. */
  MESSAGING_QUOTA_EXHAUSTED: z.enum(['fallback', 'defer']).default('fallback'),
});

/**
 * The parsed quota variables.
 *
 * @example
 * const config: SenderQuotaConfig = senderQuotaConfig.parse(process.env);
 */
export type SenderQuotaConfig = z.infer<typeof senderQuotaConfig>;

/**
 * The composer's quota settings from configuration. Sender keys are
 * `channel:sender id` (the WhatsApp phone number id, the Twilio From number
 * or Messaging Service SID, the email From address) as `senderIds` names them.
 *
 * @example
 * const quota = senderQuotaOptions(config, { whatsapp: '1234567890' }, store);
 */
export function senderQuotaOptions(
  config: SenderQuotaConfig,
  senderIds: Partial<Record<MessagingChannel['channel'], string>>,
  store: QuotaStore,
): SenderQuotaOptions {
  const caps: Record<string, number | undefined> = {
    whatsapp: config.WHATSAPP_DAILY_QUOTA === 0 ? undefined : config.WHATSAPP_DAILY_QUOTA,
    sms: config.SMS_DAILY_QUOTA || undefined,
    email: config.EMAIL_DAILY_QUOTA || undefined,
  };
  return {
    perSenderPerDay: (sender) => caps[sender.slice(0, sender.indexOf(':'))],
    senderOf: (channel) =>
      `${channel.channel}:${senderIds[channel.channel as MessagingChannel['channel']] ?? channel.provider}`,
    whenExhausted: config.MESSAGING_QUOTA_EXHAUSTED === 'defer' ? 'defer' : 'next_channel',
    store,
  };
}

/**
 * Quota counters in PostgreSQL: an upsert that adds one only while the row
 * is under the cap, so concurrent processes never pass it. Runs in the
 * caller's transaction when there is one (see `callDatabase`).
 *
 * @example
 * const store = new DatabaseQuotaStore(db);
 * await store.reserve('whatsapp:1234', '2026-12-07', 1000); // true
 */
export class DatabaseQuotaStore implements QuotaStore {
  readonly #db: Kysely<DB>;

  constructor(db: Kysely<DB>) {
    this.#db = db;
  }

  async used(sender: string, day: string): Promise<number> {
    const row = await callDatabase(this.#db)
      .selectFrom('messaging_sender_quota')
      .select('used')
      .where('sender', '=', sender)
      .where('day', '=', day)
      .executeTakeFirst();
    return row?.used ?? 0;
  }

  async increment(sender: string, day: string): Promise<number> {
    const result = await sql<{ used: number }>`
      insert into messaging_sender_quota (sender, day, used) values (${sender}, ${day}, 1)
      on conflict (sender, day) do update set used = messaging_sender_quota.used + 1
      returning used`.execute(callDatabase(this.#db));
    return result.rows[0]?.used ?? 1;
  }

  async reserve(sender: string, day: string, limit: number): Promise<boolean> {
    if (limit <= 0) return false;
    const result = await sql<{ used: number }>`
      insert into messaging_sender_quota (sender, day, used) values (${sender}, ${day}, 1)
      on conflict (sender, day) do update set used = messaging_sender_quota.used + 1
        where messaging_sender_quota.used < ${limit}
      returning used`.execute(callDatabase(this.#db));
    return result.rows.length > 0;
  }

  async release(sender: string, day: string): Promise<void> {
    await callDatabase(this.#db)
      .updateTable('messaging_sender_quota')
      .set((eb) => ({ used: eb('used', '-', 1) }))
      .where('sender', '=', sender)
      .where('day', '=', day)
      .where('used', '>', 0)
      .execute();
  }
}

// Adds one while under the cap (ARGV[1]); the key outlives its day by one.
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], 172800)
return 1`;

const RELEASE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

/**
 * Quota counters in Redis (`<prefix>msgquota:{sender}:{day}`), shared by
 * every process; while Redis does not answer, the PostgreSQL rows count
 * instead (the two do not add up: during an outage a sender may pass its
 * cap by what Redis had counted).
 *
 * @example
 * const store = new RedisQuotaStore(redis, new DatabaseQuotaStore(db), { onOutage });
 */
export class RedisQuotaStore implements QuotaStore {
  readonly #redis: SharedRedis;
  readonly #fallback: DatabaseQuotaStore;
  readonly #outage: RedisOutage;

  constructor(
    redis: SharedRedis,
    fallback: DatabaseQuotaStore,
    options: { onOutage?: (error: unknown) => void } = {},
  ) {
    this.#redis = redis;
    this.#fallback = fallback;
    this.#outage = new RedisOutage(options);
  }

  used(sender: string, day: string): Promise<number> {
    return this.#outage.call(
      async () => Number((await this.#redis.client.get(this.#key(sender, day))) ?? 0),
      () => this.#fallback.used(sender, day),
    );
  }

  increment(sender: string, day: string): Promise<number> {
    return this.#outage.call(
      async () => {
        const key = this.#key(sender, day);
        const [[, used]] = (await this.#redis.client
          .multi()
          .incr(key)
          .expire(key, 172_800)
          .exec()) as [[unknown, number], unknown];
        return used;
      },
      () => this.#fallback.increment(sender, day),
    );
  }

  reserve(sender: string, day: string, limit: number): Promise<boolean> {
    return this.#outage.call(
      async () =>
        Number(await this.#redis.client.eval(RESERVE, 1, this.#key(sender, day), limit)) === 1,
      () => this.#fallback.reserve(sender, day, limit),
    );
  }

  async release(sender: string, day: string): Promise<void> {
    await this.#outage.call(
      async () => {
        await this.#redis.client.eval(RELEASE, 1, this.#key(sender, day));
      },
      () => this.#fallback.release(sender, day),
    );
  }

  #key(sender: string, day: string): string {
    return `${this.#redis.prefix}msgquota:${sender}:${day}`;
  }
}

/**
 * Registers `messaging_sender_quota_remaining{channel,sender}`, read from
 * `remaining` at every scrape (sender keys `channel:sender id`).
 *
 * @example
 * registerQuotaGauge(metrics.registry, () => composer.remainingQuota());
 */
export function registerQuotaGauge(
  registry: Registry,
  remaining: () => Promise<Record<string, number>>,
): void {
  if (registry.getSingleMetric('messaging_sender_quota_remaining')) return;
  registry.registerMetric(
    new Gauge({
      name: 'messaging_sender_quota_remaining',
      help: 'Messages a sender may still send today (UTC) under its daily quota.',
      labelNames: ['channel', 'sender'],
      registers: [],
      async collect() {
        this.reset();
        for (const [key, left] of Object.entries(await remaining())) {
          const at = key.indexOf(':');
          this.set({ channel: key.slice(0, at), sender: key.slice(at + 1) }, left);
        }
      },
    }),
  );
}
