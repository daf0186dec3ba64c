/**
 * One HL7 refusal with its bytes, for the operator who opened it (the
 * opening is audited: the bytes may hold patient data).
 */
import { html } from 'hono/html';
import type { Hl7RejectSummary } from '../../hl7/rejects.ts';
import { type Markup, opsHead, timeAgo } from './layout.ts';

/**
 * One HL7 refusal with its bytes as text (escaped; control characters
 * shown as `·`, segment breaks as line breaks).
 *
 * @example
 * return sendPage(c, renderHl7RejectPage(await getReject(db, id), new Date()));
 */
export function renderHl7RejectPage(reject: Hl7RejectSummary & { raw: string }, now: Date): Markup {
  const text = reject.raw
    .replace(/\r\n|\r|\n/g, '\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this replaces.
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '·');
  return html`<!doctype html>
<html lang="en">${opsHead(`HL7 refusal ${reject.id}`, 'pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f6f8fa;padding:.5rem}')}
<body><p><a href="/ops">← operations</a></p><h1>HL7 refusal <code>${reject.id}</code></h1>
<p>${reject.kind}${reject.ackCode ? ` (answered ${reject.ackCode})` : ''} from ${reject.sourceAddress}${reject.sender ? `, ${reject.sender}` : ''}; seen ${reject.count} time(s), last ${timeAgo(reject.lastSeenAt, now)}; ${reject.byteLength} bytes.</p>
<p>${reject.reason}</p>
<p class="empty">These bytes may hold patient data: do not copy them outside the operations team.</p>
<pre>${text}</pre>
</body></html>`;
}
