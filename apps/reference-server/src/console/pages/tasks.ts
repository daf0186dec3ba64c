/**
 * `/ops/tasks`: work the adapters could not do (a provider down, no API),
 * waiting for a person — who has taken each task, and buttons to take it
 * ("Assign to me"), hand it back ("Unassign") and close it ("Mark done").
 */
import { html } from 'hono/html';
import type { ManualTaskRow } from '../../manual-tasks/store.ts';
import type { Staff } from '../identity/staff.ts';
import { type Markup, type Notice, opsPage, postButton, table, timeAgo } from './layout.ts';

/** The actions come back to this page. */
const BACK = { back: '/ops/tasks' };

/**
 * The manual tasks page for `operator` (whose tasks say "you").
 *
 * @example
 * return sendPage(c, renderTasksPage({ tasks, operator: 'ops', notice: null, now }));
 */
export function renderTasksPage(view: {
  readonly tasks: readonly ManualTaskRow[];
  readonly operator: string;
  readonly notice: Notice | null;
  readonly staff?: Staff | undefined;
  readonly now: Date;
}): Markup {
  const rows = view.tasks.map((m) => {
    const path = `/ops/manual-tasks/${encodeURIComponent(m.id)}`;
    const mine = m.assignedTo === view.operator;
    return [
      html`${m.summary} <code class="muted">${m.id}</code>`,
      html`${m.provider} <span class="muted">${m.operation}</span>`,
      m.reason.replaceAll('_', ' '),
      html`<code>${m.subjectRef}</code>`,
      timeAgo(m.createdAt, view.now),
      m.assignedTo === null ? html`<span class="muted">nobody</span>` : mine ? 'you' : m.assignedTo,
      html`<div class="actions">${
        mine
          ? postButton(`${path}/unassign`, 'Unassign', BACK)
          : postButton(`${path}/assign`, 'Assign to me', BACK)
      }${postButton(`${path}/done`, 'Mark done', BACK)}</div>`,
    ];
  });
  return opsPage({
    title: 'Manual tasks',
    path: '/ops/tasks',
    notice: view.notice,
    staff: view.staff,
    body: table(
      'Waiting for a person',
      ['task', 'provider', 'why', 'subject', 'recorded', 'assigned to', ''],
      rows,
      'No manual task is waiting.',
    ),
  });
}
