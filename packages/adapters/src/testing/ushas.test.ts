/** The fake USHAŞ catalogue as an in-memory `CatalogueSource` passes the port's conformance suite. */
import { describeCatalogueSourceConformance } from '../ports/__fixtures__/catalogue-source.case.ts';
import { FakeUshas } from './ushas.ts';

describeCatalogueSourceConformance({
  name: 'in-memory fake',
  async setup() {
    const fake = new FakeUshas();
    return {
      source: fake.asSource(),
      seed: (catalogue) => fake.setCatalogue(catalogue),
      addMalformedProvider: (sourceId) =>
        fake.addRaw('providers', { id: sourceId, type: 'DOCTOR', status: 'ACTIVE' }),
      failNext: (times) => fake.failNext(times),
      calls: () => fake.requests.length,
    };
  },
});
