/**
 * Contract cases for claims: a draft claim of an invoice (its amount, its
 * documents described by size and SHA-256, never echoed), requests queued
 * for the payer and refused from the wrong status, withdrawal, the full
 * ordered history, re-delivery of that history to an endpoint, and the
 * claim-ready itemised invoice as FHIR and CSV.
 */
import { expect } from 'vitest';
import type { Claim } from '../../../contract/index.ts';
import { collect, expectProblem } from '../expect-problem.ts';
import type { CaseContext, ContractCase } from '../types.ts';

const PDF_BASE64 = btoa('%PDF-1.4 discharge summary');

async function draftClaim({ client, unique }: CaseContext): Promise<Claim> {
  const patient = await client.patients.create({
    givenName: 'Ada',
    familyName: 'Claimant',
    externalRef: unique('clm'),
  });
  const invoice = await client.invoices.create({
    patientId: patient.id,
    currency: 'EUR',
    lines: [
      {
        description: 'Implant, "premium"',
        quantity: 2,
        unitPrice: { amount: 100_050, currency: 'EUR' },
      },
      {
        description: '=X-ray',
        quantity: 1,
        unitPrice: { amount: 333, currency: 'EUR' },
        taxRateBps: 1800,
      },
    ],
  });
  return client.claims.create({
    invoiceId: invoice.id,
    payer: { payerRef: 'payer_star', memberId: 'M-100/22' },
    diagnoses: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'K08.1' }],
    documents: [
      {
        kind: 'discharge_summary',
        contentType: 'application/pdf',
        title: 'summary.pdf',
        data: PDF_BASE64,
      },
    ],
  });
}

/**
 * Cases for claims.
 *
 * @example
 * for (const c of claimCases) console.log(c.name, c.uses);
 */
export const claimCases: ContractCase[] = [
  {
    name: 'claims: a draft claims its invoice total; documents are described, not echoed; get and list',
    uses: ['patients.create', 'invoices.create', 'claims.create', 'claims.get', 'claims.list'],
    async run(ctx) {
      const claim = await draftClaim(ctx);
      expect(claim).toMatchObject({
        status: 'draft',
        pendingAction: null,
        eligibility: 'unknown',
        amount: { amount: 200_100 + 333 + 60, currency: 'EUR' },
        approvedAmount: null,
        resubmissions: 0,
        reasonCodes: [],
        documents: [
          {
            kind: 'discharge_summary',
            title: 'summary.pdf',
            size: 26,
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        ],
      });
      expect(JSON.stringify(claim)).not.toContain(PDF_BASE64);
      expect(await ctx.client.claims.get({ claimId: claim.id })).toEqual(claim);
      const listed = await collect(ctx.client.claims.list({ patientId: claim.patientId }));
      expect(listed.map((c) => c.id)).toEqual([claim.id]);
      await expectProblem(
        ctx.client.claims.create({
          invoiceId: claim.invoiceId.replace(/.$/, (c) =>
            c === 'a' ? 'b' : 'a',
          ) as `inv_${string}`,
          payer: { payerRef: 'payer_star', memberId: 'M-1' },
        }),
        404,
        'not_found',
      );
    },
  },
  {
    name: 'claims: requests are queued for the payer once, and refused from the wrong status',
    uses: [
      'claims.create',
      'claims.submit',
      'claims.preauthorize',
      'claims.resubmit',
      'claims.withdraw',
    ],
    async run(ctx) {
      const { client } = ctx;
      const claim = await draftClaim(ctx);
      await expectProblem(
        client.claims.resubmit({ claimId: claim.id }, {}),
        409,
        'invalid_state_transition',
      );
      const queued = await client.claims.submit({ claimId: claim.id });
      expect(queued).toMatchObject({ id: claim.id, status: 'draft', pendingAction: 'submit' });
      await expectProblem(
        client.claims.submit({ claimId: claim.id }),
        409,
        'invalid_state_transition',
      );
      await expectProblem(
        client.claims.withdraw({ claimId: claim.id }),
        409,
        'invalid_state_transition',
      );

      const other = await draftClaim(ctx);
      expect((await client.claims.preauthorize({ claimId: other.id })).pendingAction).toBe(
        'preauthorize',
      );
      const third = await draftClaim(ctx);
      const withdrawn = await client.claims.withdraw({ claimId: third.id });
      expect(withdrawn).toMatchObject({ status: 'withdrawn', pendingAction: null });
      await expectProblem(
        client.claims.submit({ claimId: third.id }),
        409,
        'invalid_state_transition',
      );
    },
  },
  {
    name: 'claims: the history is every claim event in order, and re-delivery schedules exactly those',
    uses: [
      'claims.create',
      'claims.withdraw',
      'claims.events',
      'claims.redeliver',
      'webhookEndpoints.create',
    ],
    async run(ctx) {
      const { client } = ctx;
      const claim = await draftClaim(ctx);
      await client.claims.withdraw({ claimId: claim.id });
      const history = await client.claims.events({ claimId: claim.id });
      expect(history.data.map((e) => e.type)).toEqual(['claim.created', 'claim.withdrawn']);
      for (const event of history.data) {
        expect(event).toMatchObject({ entityType: 'claim', entityId: claim.id });
        expect(event.data).toMatchObject({ claimId: claim.id, insurer: 'payer_star' });
        expect(JSON.stringify(event.data)).not.toMatch(/Ada|Claimant|K08|summary/);
      }
      const endpoint = await client.webhookEndpoints.create({
        url: `${ctx.target.webhookBaseUrl ?? 'https://partner.example.com'}/${ctx.unique('dispute')}`,
        eventTypes: ['webhook_endpoint.ping'],
      });
      const redelivered = await client.claims.redeliver(
        { claimId: claim.id },
        { endpointId: endpoint.id },
      );
      expect(redelivered).toEqual({ scheduled: 2, eventIds: history.data.map((e) => e.id) });
      const other = ctx.clientFor(ctx.target.otherTenantApiKey);
      await expectProblem(other.claims.events({ claimId: claim.id }), 404, 'not_found');
      await expectProblem(
        other.claims.redeliver({ claimId: claim.id }, { endpointId: endpoint.id }),
        404,
        'not_found',
      );
    },
  },
  {
    name: 'claims: the itemised invoice as a FHIR Claim and as CSV with decimal amounts',
    uses: ['claims.create', 'claims.itemisedInvoice'],
    async run(ctx) {
      const claim = await draftClaim(ctx);
      const fhir = await ctx.client.claims.itemisedInvoice({ claimId: claim.id });
      expect(fhir).toMatchObject({ format: 'fhir', contentType: 'application/fhir+json' });
      const resource = JSON.parse(fhir.content) as Record<string, unknown>;
      expect(resource).toMatchObject({
        resourceType: 'Claim',
        use: 'claim',
        status: 'active',
        total: { value: 2004.93, currency: 'EUR' },
        item: [
          { sequence: 1, quantity: { value: 2 }, unitPrice: { value: 1000.5, currency: 'EUR' } },
          { sequence: 2, net: { value: 3.93, currency: 'EUR' } },
        ],
      });
      const csv = await ctx.client.claims.itemisedInvoice({ claimId: claim.id }, { format: 'csv' });
      expect(csv.format).toBe('csv');
      const rows = csv.content.trimEnd().split('\r\n');
      expect(rows[0]).toBe(
        'claim_id,invoice_id,line,description,quantity,unit_price,tax_rate_bps,subtotal,tax,total,currency',
      );
      expect(rows[1]).toBe(
        `${claim.id},${claim.invoiceId},1,"Implant, ""premium""",2,1000.50,0,2001.00,0.00,2001.00,EUR`,
      );
      expect(rows[2]).toBe(
        `${claim.id},${claim.invoiceId},2,'=X-ray,1,3.33,1800,3.33,0.60,3.93,EUR`,
      );
      expect(rows[3]).toBe(`${claim.id},${claim.invoiceId},total,,,,,2004.33,0.60,2004.93,EUR`);
    },
  },
];
