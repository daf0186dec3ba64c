/** Orthanc authentication: wrong credentials are auth_failed (its own file: one MSW server per file). */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { FakeOrthanc } from '../testing/orthanc.ts';
import { createOrthancArchive } from './index.ts';

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
afterAll(() => server.close());

test('wrong credentials are auth_failed', async () => {
  const fake = new FakeOrthanc();
  server.use(...fake.handlers());
  const archive = createOrthancArchive({
    baseUrl: fake.baseUrl,
    username: 'orthanc',
    password: 'wrong',
    policies: { retry: { baseDelayMs: 1, maxDelayMs: 2 } },
  });
  expect((await rejection(archive.listStudies({ patientId: 'MRN-1' }))).code).toBe('auth_failed');
});
