/**
 * Benchmark of `/fhir/R4` against `/api/v1` on the same rows: CPU time per
 * request of a 100-appointment search page and of a patient read, through
 * the app in process (no sockets), on embedded PGlite. The FHIR side maps
 * rows to R4 resources and builds a Bundle; the API side is the baseline
 * measured in the same run. Goal: a FHIR request costs at most 1.5× its
 * API twin.
 *
 *   node bench/fhir.ts        (needs the workspace packages built: pnpm build)
 */
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { resourceFeatures, serverMigrations } from '../src/features.ts';
import { fhirFeature } from '../src/fhir/feature.ts';
import { createLogger } from '../src/observability/logger.ts';
import { createTenant } from '../src/tenants/service.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const GOAL = 1.5;

const database = await openDatabase({ dataDir: 'memory://' });
await migrateToLatest(database.db, serverMigrations);
const { apiKey } = await createTenant(database.db, { name: 'Bench clinic' });
const config = loadConfig({
  LOG_LEVEL: 'silent',
  RATE_LIMIT_STANDARD_PER_MINUTE: '100000000',
  RATE_LIMIT_HIGH_PER_MINUTE: '100000000',
});
const app = createApp({
  database,
  config,
  logger: createLogger('silent'),
  features: [...resourceFeatures, fhirFeature],
});
const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
const post = async (path: string, body: unknown) =>
  (await (
    await app.request(path, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(body),
    })
  ).json()) as { id: string };

const patient = await post('/api/v1/patients', {
  givenName: 'Ada',
  familyName: 'Yılmaz',
  birthDate: '1980-02-29',
  phone: '+905551112233',
  externalRef: 'MRN-1',
});
for (let i = 0; i < 100; i++) {
  const day = String(1 + (i % 28)).padStart(2, '0');
  await post('/api/v1/appointments', {
    patientId: patient.id,
    service: 'Consultation',
    startsAt: `2026-12-${day}T09:00:00.000Z`,
    endsAt: `2026-12-${day}T09:30:00.000Z`,
    clinicianRef: 'dr-1',
    location: 'Room 1',
  });
}

async function cpuPerRequest(path: string): Promise<number> {
  const once = async () => {
    const res = await app.request(path, { headers });
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < 30; i++) await once();
  const start = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i++) await once();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / ROUNDS;
}

const fhirId = patient.id.replace('_', '-');
const cases = [
  [
    'search page of 100 appointments',
    '/api/v1/appointments?limit=100',
    '/fhir/R4/Appointment?_count=100',
  ],
  ['patient read', `/api/v1/patients/${patient.id}`, `/fhir/R4/Patient/${fhirId}`],
] as const;

console.log(`FHIR R4 vs API v1, CPU ms per request (${ROUNDS} requests each, PGlite, in process)`);
for (const [name, api, fhir] of cases) {
  const baseline = await cpuPerRequest(api);
  const served = await cpuPerRequest(fhir);
  const ratio = served / baseline;
  console.log(
    `${name.padEnd(34)} api ${baseline.toFixed(3)} ms  fhir ${served.toFixed(3)} ms  ratio ${ratio.toFixed(2)}  (goal ≤ ${GOAL})${ratio > GOAL ? '  MISS' : ''}`,
  );
}
await database.close();
