/**
 * The messages a page shows after an action: fixed texts chosen by a key in
 * the query string (`?notice=resolved`), so nothing from the URL is echoed.
 */
import type { Notice } from './pages/layout.ts';

/**
 * Every notice by key.
 *
 * @example
 * NOTICES.resolved.text; // 'Alert resolved.'
 */
export const NOTICES = {
  resolved: { text: 'Alert resolved.', error: false },
  retried: { text: 'Inbound webhook queued for processing again.', error: false },
  replayed: {
    text: 'Dead letter replayed: it is delivered again from the start of the schedule.',
    error: false,
  },
  done: { text: 'Manual task marked done.', error: false },
  assigned: { text: 'Manual task assigned to you.', error: false },
  unassigned: { text: 'Manual task handed back: nobody has it now.', error: false },
  hl7retried: { text: 'HL7 message queued to be applied again.', error: false },
  unchanged: {
    text: 'Nothing changed: the item was not in a state that allows it (already handled?).',
    error: false,
  },
  endpoint_disabled: {
    text: 'Not replayed: the webhook endpoint of this dead letter is disabled, so nothing would be sent. It stays in the dead-letter queue. Ask the clinic to enable the endpoint again (PATCH /api/v1/webhook-endpoints/{id} with "enabled": true), then press Replay.',
    error: true,
  },
} as const satisfies Record<string, Notice>;

/**
 * A notice's key.
 *
 * @example
 * const key: NoticeKey = 'replayed';
 */
export type NoticeKey = keyof typeof NOTICES;

/**
 * The notice a query-string key names, or null for none or an unknown key.
 *
 * @example
 * noticeOf(c.req.query('notice')); // { text: 'Alert resolved.', error: false }
 */
export function noticeOf(key: string | undefined): Notice | null {
  return key && Object.hasOwn(NOTICES, key) ? NOTICES[key as NoticeKey] : null;
}

/** The console pages an action may send the operator back to. */
const BACK = /^\/ops(?:\/(?:endpoints(?:\/[A-Za-z0-9_-]{1,100})?|tasks|providers))?$/;

/**
 * Where to go after an action: `back` when it is one of the console's own
 * pages, else the overview (never another site: an open redirect).
 *
 * @example
 * backTo('/ops/tasks', 'done'); // '/ops/tasks?notice=done'
 * backTo('https://evil.example', 'done'); // '/ops?notice=done'
 */
export function backTo(back: unknown, notice: NoticeKey): string {
  const path = typeof back === 'string' && BACK.test(back) ? back : '/ops';
  return `${path}?notice=${notice}`;
}
