/**
 * `clinicbridge-server seed-sandbox` (finding 19): a test tenant filled with
 * obviously fake patients, appointments, invoices and payments, for
 * partners to try the API against. Its credentials are `test` credentials
 * (`cbk_test_…`, `cbs_test_…`), so only a sandbox server
 * (`SERVER_ENVIRONMENT=test`) accepts them, and the command refuses to run
 * with a live configuration. Everything is written through the same
 * services as the API (the tenant first, then its data in one transaction),
 * audited and with its events.
 */
import type { Kysely } from 'kysely';
import { createAppointment } from '../appointments/service.ts';
import type { DB } from '../db/schema.ts';
import { issueInvoice } from '../invoices/service.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { createPatient } from '../patients/service.ts';
import { recordPayment } from '../payments/service.ts';
import { type CreatedTenant, createTenant } from '../tenants/service.ts';

/**
 * What a seeded sandbox holds: the tenant's credentials (shown once) and what was created.
 *
 * @example
 * const { apiKey, patients }: SeededSandbox = await seedSandbox(db);
 */
export interface SeededSandbox extends CreatedTenant {
  patients: number;
  appointments: number;
  invoices: number;
  payments: number;
}

// Reserved or plainly fictional values only: example.test addresses (RFC 2606),
// 555-01xx numbers (reserved for fiction), "Sandbox" surnames.
const FAKE_PATIENTS = [
  { givenName: 'Test', familyName: 'Sandbox-One', birthDate: '1970-01-01' },
  { givenName: 'Test', familyName: 'Sandbox-Two', birthDate: '1985-06-15' },
  { givenName: 'Test', familyName: 'Sandbox-Three', birthDate: '2000-12-31' },
];
const SERVICES = ['Sandbox consultation', 'Sandbox check-up', 'Sandbox follow-up'];
const DAY_MS = 86_400_000;

/**
 * Creates the test tenant and its fake data in one transaction.
 *
 * @example
 * const sandbox = await seedSandbox(db, { now: new Date() });
 */
export async function seedSandbox(
  db: Kysely<DB>,
  options: { now?: Date; name?: string } = {},
): Promise<SeededSandbox> {
  const now = options.now ?? new Date();
  const tenant = await createTenant(db, {
    name: options.name ?? 'Sandbox clinic (test data)',
    now,
    environment: 'test',
  });
  const change: ChangeContext = {
    tenantId: tenant.tenantId,
    actor: { type: 'operator', id: 'cli' },
    requestId: null,
    now,
  };
  const counts = { patients: 0, appointments: 0, invoices: 0, payments: 0 };
  await db.transaction().execute(async (trx) => {
    for (const [i, fake] of FAKE_PATIENTS.entries()) {
      const patient = await createPatient(trx, change, {
        ...fake,
        email: `patient${i + 1}@example.test`,
        phone: `+1555555010${i}`,
        externalRef: `SANDBOX-${i + 1}`,
      });
      counts.patients++;
      const day = new Date(Math.ceil(now.getTime() / DAY_MS) * DAY_MS + (i + 1) * DAY_MS);
      const startsAt = new Date(day.getTime() + 9 * 3_600_000);
      await createAppointment(trx, change, {
        patientId: patient.id,
        service: SERVICES[i] ?? 'Sandbox visit',
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 30 * 60_000).toISOString(),
      });
      counts.appointments++;
      const invoice = await issueInvoice(trx, change, {
        patientId: patient.id,
        currency: 'EUR',
        lines: [
          {
            description: 'Sandbox consultation fee',
            quantity: 1,
            unitPrice: { amount: 5_000 * (i + 1), currency: 'EUR' },
          },
        ],
      });
      counts.invoices++;
      // The first two invoices are paid, the last one stays open.
      if (i < FAKE_PATIENTS.length - 1) {
        await recordPayment(trx, change, {
          invoiceId: invoice.id,
          amount: invoice.total,
          method: 'card',
          source: 'terminal',
          externalRef: `SANDBOX-PAY-${i + 1}`,
        });
        counts.payments++;
      }
    }
  });
  return { ...tenant, ...counts };
}
