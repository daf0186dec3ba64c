/**
 * Contract cases for e-invoices (Turkish e-Fatura): an invoice is queued
 * once under one ETTN (a repeat returns the same e-invoice), read back, and
 * invisible to another tenant; an invoice never queued has none (404).
 * Whether the API has an integrator is its own business: the status is any
 * of the contract's.
 */
import { expect } from 'vitest';
import { eInvoiceStatus } from '../../../contract/index.ts';
import { expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Cases for e-invoices.
 *
 * @example
 * for (const c of eInvoiceCases) console.log(c.name, c.uses);
 */
export const eInvoiceCases: ContractCase[] = [
  {
    name: 'invoices: queued for e-Fatura once under one ETTN, read back, isolated by tenant',
    uses: ['patients.create', 'invoices.create', 'invoices.queueEInvoice', 'invoices.getEInvoice'],
    async run({ client, clientFor, target, unique }) {
      const patient = await client.patients.create({
        givenName: 'Ece',
        familyName: 'Fatura',
        externalRef: unique('ein'),
      });
      const invoice = await client.invoices.create({
        patientId: patient.id,
        currency: 'TRY',
        lines: [
          {
            description: 'Dental implant',
            quantity: 1,
            unitPrice: { amount: 1_250_000, currency: 'TRY' },
            taxRateBps: 1000,
          },
        ],
      });
      await expectProblem(client.invoices.getEInvoice({ invoiceId: invoice.id }), 404, 'not_found');
      const queued = await client.invoices.queueEInvoice(
        { invoiceId: invoice.id },
        { buyerTaxId: '12345678901' },
      );
      expect(queued).toMatchObject({ invoiceId: invoice.id, reasonCode: null, pdfKey: null });
      expect(queued.ettn).toMatch(UUID_V4);
      expect(eInvoiceStatus.options).toContain(queued.status);
      // The buyer's tax number is never returned.
      expect(JSON.stringify(queued)).not.toContain('12345678901');

      const again = await client.invoices.queueEInvoice(
        { invoiceId: invoice.id },
        { buyerTaxId: '12345678901' },
      );
      expect({ id: again.id, ettn: again.ettn }).toEqual({ id: queued.id, ettn: queued.ettn });
      const read = await client.invoices.getEInvoice({ invoiceId: invoice.id });
      expect({ id: read.id, ettn: read.ettn }).toEqual({ id: queued.id, ettn: queued.ettn });

      await expectProblem(
        clientFor(target.otherTenantApiKey).invoices.getEInvoice({ invoiceId: invoice.id }),
        404,
        'not_found',
      );
    },
  },
];
