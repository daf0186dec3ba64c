/**
 * The tele-rooms API as the end-to-end tests call it on a started server:
 * `send` (status and body), `api` (throws on an error status) and
 * `booking` (a patient, an appointment and an unpaid invoice of 90.00 EUR).
 */
import { patientBody } from '../../../test/helpers/fixtures.ts';
import type { TestServer } from '../../../test/helpers/http-server.ts';

/**
 * Calls on the first tenant of `server()` with its API key.
 *
 * @example
 * const { api, booking } = teleClient(() => running);
 */
export function teleClient(server: () => TestServer) {
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server().server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server().tenants[0]?.apiKey}`,
        'content-type': 'application/json',
        ...(method === 'GET' ? {} : { 'idempotency-key': crypto.randomUUID() }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await send(method, path, body);
    if (res.status >= 300)
      throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as T;
  };
  /** A patient, an appointment and an unpaid invoice of 90.00 EUR. */
  const booking = async () => {
    const patient = await api<{ id: string }>(
      'POST',
      '/api/v1/patients',
      patientBody({ externalRef: crypto.randomUUID() }),
    );
    const appointment = await api<{ id: string }>('POST', '/api/v1/appointments', {
      patientId: patient.id,
      service: 'Video consultation',
      startsAt: '2031-06-01T09:00:00.000Z',
      endsAt: '2031-06-01T09:30:00.000Z',
    });
    const invoice = await api<{ id: string }>('POST', '/api/v1/invoices', {
      patientId: patient.id,
      currency: 'EUR',
      lines: [
        { description: 'Consultation', quantity: 1, unitPrice: { amount: 9_000, currency: 'EUR' } },
      ],
    });
    return { patient, appointment, invoice };
  };
  return { send, api, booking };
}
