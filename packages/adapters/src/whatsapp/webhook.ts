/**
 * Reading WhatsApp Cloud API webhooks (Meta's `entry[].changes[].value`
 * envelope, after its `X-Hub-Signature-256` was verified) into message
 * status updates. Bounded: at most 50 entries × 50 changes × 100 statuses
 * are read, whatever the payload holds; statuses ClinicBridge does not track
 * (`sent`) are skipped.
 */

/**
 * One message's new status.
 *
 * @example
 * const update: WhatsAppStatusUpdate = { providerMessageId: 'wamid.1', status: 'read' };
 */
export interface WhatsAppStatusUpdate {
  providerMessageId: string;
  status: 'delivered' | 'read' | 'failed';
  /** Meta's error code of a failed message. */
  errorCode?: string;
}

const tracked = new Set(['delivered', 'read', 'failed']);

/**
 * The status updates in a verified WhatsApp webhook.
 *
 * @example
 * for (const update of readWhatsAppStatuses(JSON.parse(rawBody))) await apply(update);
 */
export function readWhatsAppStatuses(payload: unknown): WhatsAppStatusUpdate[] {
  const updates: WhatsAppStatusUpdate[] = [];
  const entries = (payload as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return updates;
  for (const entry of entries.slice(0, 50) as { changes?: unknown }[]) {
    const changes = Array.isArray(entry?.changes) ? entry.changes.slice(0, 50) : [];
    for (const change of changes as { value?: { statuses?: unknown } }[]) {
      const statuses = change?.value?.statuses;
      if (!Array.isArray(statuses)) continue;
      for (const raw of statuses.slice(0, 100)) {
        const s = raw as { id?: unknown; status?: unknown; errors?: { code?: unknown }[] };
        if (typeof s?.id !== 'string' || typeof s.status !== 'string' || !tracked.has(s.status)) {
          continue;
        }
        const code = Array.isArray(s.errors) ? s.errors[0]?.code : undefined;
        updates.push({
          providerMessageId: s.id.slice(0, 255),
          status: s.status as WhatsAppStatusUpdate['status'],
          ...(code === undefined ? {} : { errorCode: String(code).slice(0, 40) }),
        });
      }
    }
  }
  return updates;
}
