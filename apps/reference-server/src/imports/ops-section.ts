/**
 * The imports section of the operator page (`/ops`): jobs still queued or
 * running, and the latest finished ones, with their progress (rows read,
 * accepted, rejected, batches). Counts and ids only, never cell values.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

type Markup = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Rows the section shows at most. */
const SHOWN = 20;

/**
 * The section, rendered: unfinished jobs first, then the latest finished ones.
 *
 * @example
 * const section = await renderImportJobsSection(db, new Date());
 */
export async function renderImportJobsSection(db: Kysely<DB>, now: Date): Promise<Markup> {
  const columns = [
    'id',
    'tenant_id',
    'kind',
    'format',
    'dry_run',
    'status',
    'rows_read',
    'imported_rows',
    'failed_rows',
    'batches',
    'failure_code',
    'created_at',
    'updated_at',
    'completed_at',
  ] as const;
  const running = await db
    .selectFrom('import_jobs')
    .select(columns)
    .where('status', 'in', ['pending', 'processing'])
    .orderBy('created_at')
    .limit(SHOWN)
    .execute();
  const finished = await db
    .selectFrom('import_jobs')
    .select(columns)
    .where('status', 'in', ['completed', 'failed'])
    .orderBy('completed_at', 'desc')
    .limit(Math.max(0, SHOWN - running.length))
    .execute();
  const rows = [...running, ...finished];
  const seconds = (from: Date) => Math.max(0, Math.round((now.getTime() - from.getTime()) / 1_000));
  return html`<section id="imports">
<h2>Imports (${running.length} queued or running)</h2>
${
  rows.length === 0
    ? html`<p class="empty">No import yet.</p>`
    : html`<table><thead><tr><th>id</th><th>tenant</th><th>kind</th><th>status</th><th>rows read</th><th>accepted</th><th>rejected</th><th>batches</th><th>last progress</th></tr></thead><tbody>${rows.map(
        (j) =>
          html`<tr><td><code>${j.id}</code></td><td><code>${j.tenant_id}</code></td><td>${j.kind} (${j.format}${j.dry_run ? ', dry run' : ''})</td><td>${j.status}${j.failure_code ? html` <code>${j.failure_code}</code>` : ''}</td><td>${j.rows_read}</td><td>${j.imported_rows}</td><td>${j.failed_rows}</td><td>${j.batches}</td><td>${seconds(j.updated_at ?? j.completed_at ?? j.created_at)} s ago</td></tr>`,
      )}</tbody></table>`
}
</section>`;
}
