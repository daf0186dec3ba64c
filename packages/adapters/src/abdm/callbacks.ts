/**
 * The ABDM gateway's callbacks, read into port types: the HIU consent
 * notification (`/api/v3/hiu/consent/request/notify`: granted, denied,
 * revoked, expired) and the artefact of a consent fetch
 * (`/api/v3/hiu/consent/on-fetch`). Bodies are hostile until parsed; a body
 * that does not fit is `invalid_request`.
 */
import { z } from 'zod';
import { type ConsentArtefact, ConsentPurposeSchema, HiTypeSchema } from '../ports/health-id.ts';
import { parseInput } from '../ports/validate.ts';

const Status = z.enum(['GRANTED', 'REVOKED', 'EXPIRED', 'DENIED']);

const Notification = z.object({
  notification: z.object({
    consentRequestId: z.string().min(1),
    status: Status,
    consentArtefacts: z.array(z.object({ id: z.string().min(1) })).default([]),
  }),
});

const OnFetch = z.object({
  consent: z.object({
    status: Status,
    consentDetail: z.object({
      consentId: z.string().min(1),
      patient: z.object({ id: z.string().min(1) }),
      purpose: z.object({ code: ConsentPurposeSchema }),
      hiTypes: z.array(HiTypeSchema),
      permission: z.object({
        dateRange: z.object({ from: z.string(), to: z.string() }),
        dataEraseAt: z.string(),
      }),
    }),
  }),
});

/**
 * A consent notification: which request, what happened, which artefacts.
 *
 * @example
 * const notice: ConsentNotification = { consentRequestId: 'cr_1', status: 'GRANTED', artefactIds: ['ca_1'] };
 */
export interface ConsentNotification {
  consentRequestId: string;
  status: ConsentArtefact['status'];
  artefactIds: string[];
}

/**
 * Reads the gateway's consent notification callback.
 *
 * @example
 * const notice = parseConsentNotification(await c.req.json());
 * if (notice.status === 'GRANTED') for (const id of notice.artefactIds) await gateway.fetchArtefact({ artefactId: id, patientRef });
 */
export function parseConsentNotification(body: unknown): ConsentNotification {
  const { notification } = parseInput(Notification, body, 'abdm', 'consent.notify');
  return {
    consentRequestId: notification.consentRequestId,
    status: notification.status,
    artefactIds: notification.consentArtefacts.map((artefact) => artefact.id),
  };
}

/**
 * Reads the gateway's on-fetch callback into a {@link ConsentArtefact}.
 *
 * @example
 * const artefact = parseConsentArtefact(await c.req.json(), pendingRequestId);
 */
export function parseConsentArtefact(body: unknown, consentRequestId: string): ConsentArtefact {
  const { consent } = parseInput(OnFetch, body, 'abdm', 'consent.onFetch');
  const detail = consent.consentDetail;
  return {
    id: detail.consentId,
    consentRequestId,
    status: consent.status,
    purpose: detail.purpose.code,
    hiTypes: detail.hiTypes,
    from: detail.permission.dateRange.from,
    to: detail.permission.dateRange.to,
    expiresAt: detail.permission.dataEraseAt,
    patientAbhaAddress: detail.patient.id,
  };
}
