/**
 * Contract cases for saved import column mappings and for leads: a mapping
 * is saved, read, listed by kind, replaced when saved again under its kind
 * and name, and deleted; leads the target does not hold are 404, and both
 * need the imports read scope.
 */
import { expect } from 'vitest';
import { newId } from '../../../contract/index.ts';
import { collect, expectProblem } from '../expect-problem.ts';
import type { ContractCase } from '../types.ts';

/**
 * Cases for `importMappings.*` and `leads.*`.
 *
 * @example
 * for (const c of importMappingCases) console.log(c.name, c.uses);
 */
export const importMappingCases: ContractCase[] = [
  {
    name: 'import mappings: saved, read, listed by kind, replaced by name, deleted',
    uses: [
      'importMappings.create',
      'importMappings.get',
      'importMappings.list',
      'importMappings.delete',
    ],
    async run({ client, clientFor, target, unique }) {
      const name = unique('mapping');
      const saved = await client.importMappings.create({
        name,
        kind: 'leads',
        columns: { Téléphone: 'phone', Canal: 'source' },
      });
      expect(saved).toMatchObject({ name, kind: 'leads', columns: { Téléphone: 'phone' } });
      expect(await client.importMappings.get({ mappingId: saved.id })).toEqual(saved);
      const replaced = await client.importMappings.create({
        name,
        kind: 'leads',
        columns: { Courriel: 'email', Canal: 'source' },
      });
      expect(replaced.id).toBe(saved.id);
      expect(replaced.columns).toEqual({ Courriel: 'email', Canal: 'source' });
      const leadsMappings = await collect(client.importMappings.list({ kind: 'leads' }));
      expect(leadsMappings.map((m) => m.id)).toContain(saved.id);
      const pricing = await collect(client.importMappings.list({ kind: 'pricing' }));
      expect(pricing.map((m) => m.id)).not.toContain(saved.id);
      const reader = clientFor(await target.createToken(['read:imports']));
      await expectProblem(
        reader.importMappings.delete({ mappingId: saved.id }),
        403,
        'insufficient_scope',
      );
      await client.importMappings.delete({ mappingId: saved.id });
      await expectProblem(client.importMappings.get({ mappingId: saved.id }), 404, 'not_found');
      await expectProblem(
        client.importMappings.delete({ mappingId: newId('imm') }),
        404,
        'not_found',
      );
    },
  },
  {
    name: 'leads: unknown leads are 404; listing needs the imports read scope',
    uses: ['leads.get', 'leads.list', 'leads.setMarketingConsent'],
    async run({ client, clientFor, target }) {
      await expectProblem(client.leads.get({ leadId: newId('lea') }), 404, 'not_found');
      await expectProblem(
        client.leads.setMarketingConsent({ leadId: newId('lea') }, { marketing: true }),
        404,
        'not_found',
      );
      const page = await client.leads.list({ limit: 1, source: 'contract-suite' }).page();
      expect(Array.isArray(page.data)).toBe(true);
      const noImports = clientFor(await target.createToken(['read:appointments']));
      await expectProblem(noImports.leads.list({}).page(), 403, 'insufficient_scope');
    },
  },
];
