/**
 * Table types of the event bus, added to the server's `DB` by module
 * augmentation (see src/db/schema.ts).
 */
import type { Generated } from 'kysely';
import type { Json } from '../db/schema.ts';

/**
 * Events recorded but not yet fanned out; filled by a trigger on `events`.
 *
 * @example
 * await db.selectFrom('event_queue').select('event_id').orderBy('sequence').execute();
 */
export interface EventQueueTable {
  event_id: string;
  sequence: number;
  enqueued_at: Generated<Date>;
}

/**
 * One event waiting for (or acknowledged by) one internal subscriber.
 *
 * @example
 * await db.selectFrom('subscriber_inbox').selectAll().where('status', '=', 'dead').execute();
 */
export interface SubscriberInboxTable {
  subscriber: string;
  event_id: string;
  sequence: number;
  status: 'pending' | 'done' | 'dead';
  attempts: Generated<number>;
  next_attempt_at: Date;
  last_error: string | null;
  acked_at: Date | null;
}

/**
 * What the notifications subscriber decided to send (sent through the messaging port when wired).
 *
 * @example
 * await db.selectFrom('notification_intents').selectAll().where('event_id', '=', eventId).execute();
 */
export interface NotificationIntentsTable {
  id: string;
  tenant_id: string;
  event_id: string;
  template: string;
  patient_id: string | null;
  status: 'recorded' | 'queued' | 'deferred' | 'sent' | 'delivered' | 'read' | 'failed';
  provider_message_id: string | null;
  /** When a `deferred` intent (sender quota used up) is sent again. */
  not_before: Date | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * Daily aggregates per tenant, event type and currency (`''` when the event has no amount).
 *
 * @example
 * await db.selectFrom('report_daily').selectAll().where('day', '=', '2026-11-22').execute();
 */
export interface ReportDailyTable {
  tenant_id: string;
  day: string;
  event_type: string;
  currency: string;
  event_count: number;
  amount: number;
}

/**
 * Pseudonymised events for analytics export: no direct identifiers, no PII.
 *
 * @example
 * await db.selectFrom('analytics_events').select(['type', 'data']).execute();
 */
export interface AnalyticsEventsTable {
  event_id: string;
  tenant_ref: string;
  type: string;
  occurred_at: Date;
  data: Json<Record<string, unknown>>;
  /** When the row was written: the export's freshness is measured from it. */
  recorded_at: Generated<Date>;
  /** When the analytics sink acknowledged the row; null while it waits. */
  exported_at: Date | null;
  /** Until when one process holds the row for sending. */
  export_lease_until: Date | null;
}

/**
 * Non-clinical fields queued for the CRM.
 *
 * @example
 * await db.selectFrom('crm_sync_records').selectAll().where('status', '=', 'queued').execute();
 */
export interface CrmSyncRecordsTable {
  event_id: string;
  tenant_id: string;
  entity_type: string;
  entity_id: string;
  fields: Json<Record<string, unknown>>;
  /**
   * `queued` until the CRM feature's job (src/crm/sync-job.ts) settles it:
   * `synced` (written), `kept` (the CRM's copy was newer), `skipped`
   * (nothing may go: no marketing consent, a tenant not mirrored), `manual`
   * (handed to /ops).
   */
  status: 'queued' | 'synced' | 'kept' | 'skipped' | 'manual';
  created_at: Date;
  /** Columns of the CRM feature's queue (migration 0655). */
  attempts: Generated<number>;
  next_attempt_at: Date | null;
  lease_until: Date | null;
  crm_record_id: string | null;
  manual_task_id: string | null;
  /** Why it was skipped, kept or handed over, or the last failure; never content. */
  detail: string | null;
  updated_at: Date | null;
}

/**
 * Alerts for the operator on call (an endpoint disabled, a payload that does not parse).
 *
 * @example
 * await db.selectFrom('operator_alerts').selectAll().where('resolved_at', 'is', null).execute();
 */
export interface OperatorAlertsTable {
  id: string;
  tenant_id: string | null;
  kind: string;
  message: string;
  details: Json<Record<string, unknown>>;
  created_at: Date;
  resolved_at: Date | null;
}

/**
 * One slot of a cron schedule (see src/scheduler/slots.ts): enqueued once,
 * run once by the process holding the schedule's lease.
 *
 * @example
 * await db.selectFrom('schedule_runs').selectAll().where('schedule', '=', 'ushas.sync').execute();
 */
export interface ScheduleRunsTable {
  schedule: string;
  slot: Date;
  status: 'pending' | 'running' | 'done' | 'failed';
  attempts: Generated<number>;
  owner: string | null;
  enqueued_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  result: Json<Record<string, unknown>> | null;
}

/**
 * Which process runs a schedule now, until when.
 *
 * @example
 * await db.selectFrom('schedule_leases').selectAll().execute();
 */
export interface ScheduleLeasesTable {
  schedule: string;
  owner: string;
  expires_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    event_queue: EventQueueTable;
    subscriber_inbox: SubscriberInboxTable;
    notification_intents: NotificationIntentsTable;
    report_daily: ReportDailyTable;
    analytics_events: AnalyticsEventsTable;
    crm_sync_records: CrmSyncRecordsTable;
    operator_alerts: OperatorAlertsTable;
    schedule_runs: ScheduleRunsTable;
    schedule_leases: ScheduleLeasesTable;
  }
}
