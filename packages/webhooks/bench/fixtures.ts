/** Deterministic benchmark inputs: a JSON event of a given size, a secret, signed headers. */
import { createHmac } from 'node:crypto';

export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr';
export const STRIPE_SECRET = 'whsec_stripe_benchmark_secret_0123456789';
export const MESSAGE_ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

/** A realistic appointment event: line items, then a note that pads it to exactly `bytes`. */
export function eventPayload(bytes: number): string {
  const items: { sku: string; description: string; amount: number; currency: string }[] = [];
  const event = {
    id: 'evt_01HZX3J8Q4',
    type: 'appointment.booked',
    createdAt: '2026-11-22T06:00:00.000Z',
    data: { appointmentId: 'apt_7Q2', clinicId: 'cln_9', patientRef: 'pat_31', items, note: '' },
  };
  const item = (i: number) => ({
    sku: `sku_${i}`,
    description: 'Consultation and follow-up',
    amount: 12500 + i,
    currency: 'EUR',
  });
  for (let i = 0; JSON.stringify(event).length + JSON.stringify(item(i)).length + 1 < bytes; i++) {
    items.push(item(i));
  }
  event.data.note = 'x'.repeat(Math.max(0, bytes - JSON.stringify(event).length));
  return JSON.stringify(event);
}

export function standardHeaders(payload: string, timestamp: number) {
  const key = Buffer.from(SECRET.slice(6), 'base64');
  const signature = createHmac('sha256', key)
    .update(`${MESSAGE_ID}.${timestamp}.`)
    .update(payload)
    .digest('base64');
  return {
    'webhook-id': MESSAGE_ID,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature}`,
  };
}

export function stripeHeader(payload: string, timestamp: number): string {
  const signature = createHmac('sha256', STRIPE_SECRET)
    .update(`${timestamp}.`)
    .update(payload)
    .digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
