/**
 * The Travel Desk task an Amadeus search or booking leaves when the supplier
 * cannot answer: the same envelope for flights and hotels, so the desk sees
 * one kind of task whatever was being arranged.
 */
import { correlation } from '../core/call-keys.ts';
import type { ManualTask, ManualTaskDraft } from '../core/manual-tasks.ts';

/**
 * A Travel Desk task draft for `operation`; a request without a `subjectRef`
 * is filed as `unassigned`.
 *
 * @example
 * travelDeskTask('hotels.book', input, 'Travel Desk: book Maslak Residence for 2 guest(s).', { guests: 2 });
 */
export function travelDeskTask(
  operation: string,
  request: { subjectRef?: string | undefined; correlationId?: string | undefined },
  summary: string,
  details: ManualTask['details'],
): ManualTaskDraft {
  return {
    kind: 'travel',
    provider: 'amadeus',
    operation,
    subjectRef: request.subjectRef ?? 'unassigned',
    summary,
    details,
    ...correlation(request),
  };
}
