/**
 * A consenting patient whose visa is granted: what the messaging tests need
 * to make the server send a notification. The patient is created over the
 * API; the grant arrives as a signed `visa.granted` webhook, as the visa
 * partner would send it.
 */
import { getScheme } from '@clinicbridge/webhooks';
import { expect } from 'vitest';
import { patientBody } from './fixtures.ts';
import type { TestServer } from './http-server.ts';

/**
 * Creates a patient with `phone` who consents to messaging on `running`'s
 * first tenant, then posts a `visa.granted` for `caseId` signed with
 * `visaSecret` (the server's `INBOUND_VISA_SECRET`); resolves to the patient id.
 *
 * @example
 * const patientId = await grantVisa(running, { phone: '+905551110001', caseId: 'case-wa', visaSecret });
 */
export async function grantVisa(
  running: TestServer,
  options: { phone: string; caseId: string; visaSecret: string },
): Promise<string> {
  const { phone, caseId, visaSecret } = options;
  const tenant = running.tenants[0];
  if (!tenant) throw new Error('no tenant');
  const res = await fetch(`${running.server.url}/api/v1/patients`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tenant.apiKey}`,
      'content-type': 'application/json',
      'idempotency-key': `patient-${caseId}`,
    },
    body: JSON.stringify(
      patientBody({
        phone,
        consent: { messaging: true, marketing: false },
        preferredLanguage: 'en',
      }),
    ),
  });
  expect(res.status).toBe(201);
  const patient = (await res.json()) as { id: string };
  const body = JSON.stringify({
    type: 'visa.granted',
    tenantId: tenant.tenantId,
    entityType: 'visa_case',
    entityId: caseId,
    data: { caseId, patientId: patient.id, country: 'TR', status: 'granted' },
  });
  const headers = getScheme('standard').signSync({
    id: `msg_${caseId}`,
    payload: body,
    secret: visaSecret,
  });
  const hook = await fetch(`${running.server.url}/webhooks/visa`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  expect(hook.status).toBe(202);
  return patient.id;
}
