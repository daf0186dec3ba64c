/**
 * Reading the patients' own messages out of a verified WhatsApp Cloud API
 * webhook (Meta's `entry[].changes[].value.messages[]`, beside the
 * `statuses[]` the inbound feature applies). Bounded: at most 50 entries ×
 * 50 changes × 100 messages are read, text to 4,096 characters (WhatsApp's
 * own limit), whatever the payload holds. The sender's number is returned
 * only so the server can find the patient; it is never stored or sent on.
 */

/**
 * One inbound message as Meta sent it.
 *
 * @example
 * const message: WhatsAppInboundMessage = { id: 'wamid.1', from: '905551234567', kind: 'text', text: 'Hello', sentAt: null, replyTo: null, profileName: null };
 */
export interface WhatsAppInboundMessage {
  /** Meta's message id (`wamid.…`). */
  readonly id: string;
  /** The sender's number as Meta gives it: digits, no `+`. */
  readonly from: string;
  /** Meta's message type (`text`, `image`, `button`, …), or `other`. */
  readonly kind: string;
  /** The text of a text message, a button or an interactive reply; null otherwise. */
  readonly text: string | null;
  /** When the patient sent it (Meta's Unix timestamp), if it gave a valid one. */
  readonly sentAt: Date | null;
  /** The id of the business message this replies to (`context.id`), if any. */
  readonly replyTo: string | null;
  /** The sender's WhatsApp profile name (masked in the text like the patient's name). */
  readonly profileName: string | null;
}

const MAX_TEXT = 4_096;
const KIND = /^[a-z_]{1,32}$/;

const str = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value !== '' ? value.slice(0, max) : null;

function textOf(message: Record<string, unknown>): string | null {
  const text = message.text as { body?: unknown } | undefined;
  const button = message.button as { text?: unknown } | undefined;
  const interactive = message.interactive as
    | { button_reply?: { title?: unknown }; list_reply?: { title?: unknown } }
    | undefined;
  return (
    str(text?.body, MAX_TEXT) ??
    str(button?.text, MAX_TEXT) ??
    str(interactive?.button_reply?.title, MAX_TEXT) ??
    str(interactive?.list_reply?.title, MAX_TEXT)
  );
}

function sentAtOf(timestamp: unknown): Date | null {
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return null;
  const at = new Date(Number(timestamp) * 1000);
  return Number.isNaN(at.getTime()) ? null : at;
}

/**
 * The inbound messages of a verified WhatsApp webhook (none in a status-only one).
 *
 * @example
 * for (const message of readWhatsAppMessages(JSON.parse(rawBody))) await answer(message);
 */
export function readWhatsAppMessages(payload: unknown): WhatsAppInboundMessage[] {
  const out: WhatsAppInboundMessage[] = [];
  const entries = (payload as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return out;
  for (const entry of entries.slice(0, 50) as { changes?: unknown }[]) {
    const changes = Array.isArray(entry?.changes) ? entry.changes.slice(0, 50) : [];
    for (const change of changes as { value?: { messages?: unknown; contacts?: unknown } }[]) {
      const messages = change?.value?.messages;
      if (!Array.isArray(messages)) continue;
      const contacts = Array.isArray(change.value?.contacts)
        ? (change.value.contacts.slice(0, 100) as {
            wa_id?: unknown;
            profile?: { name?: unknown };
          }[])
        : [];
      for (const raw of messages.slice(0, 100)) {
        const m = (raw ?? {}) as Record<string, unknown>;
        const id = str(m.id, 255);
        const from = typeof m.from === 'string' && /^\d{6,15}$/.test(m.from) ? m.from : null;
        if (!id || !from) continue;
        const type = typeof m.type === 'string' && KIND.test(m.type) ? m.type : 'other';
        const contact = contacts.find((c) => c?.wa_id === from);
        out.push({
          id,
          from,
          kind: type,
          text: textOf(m),
          sentAt: sentAtOf(m.timestamp),
          replyTo: str((m.context as { id?: unknown } | undefined)?.id, 255),
          profileName: str(contact?.profile?.name, 200),
        });
      }
    }
  }
  return out;
}
