/**
 * A reference server with the HL7 listener, as its own process, for the
 * crash test: opens the database named by the environment (PostgreSQL
 * `DATABASE_URL` + `TEST_SCHEMA`, or a PGlite `DATA_DIR`), listens for MLLP
 * on a free port of 127.0.0.1, prints `{"mllpPort":…,"url":…}`, and stops
 * on SIGTERM. With `KILL_AFTER_STORE=<MSH-10>` it kills itself with SIGKILL
 * right after that message's inbox write committed, before its ACK. With
 * `SEED_FACILITY=<MSH-4>` it first creates a tenant sending as that
 * facility from 127.0.0.1 and prints its API key as `apiKey`.
 * Run with `node --import ./test/delivery/source-hooks.ts`.
 */
import { resourceFeatures } from '../../src/features.ts';
import { hl7Config } from '../../src/hl7/config.ts';
import { registerFacility } from '../../src/hl7/facilities.ts';
import { hl7Feature } from '../../src/hl7/feature.ts';
import { createTenant } from '../../src/tenants/service.ts';
import { openProcessDatabase, startProcessServer } from '../helpers/server-process.ts';

const database = await openProcessDatabase();
const killAfter = process.env.KILL_AFTER_STORE;
const hl7 = hl7Feature({
  config: hl7Config.parse({ HL7_MLLP_PORT: '0', HL7_MLLP_HOST: '127.0.0.1' }),
  hooks: {
    afterInboxWrite: (entry) => {
      if (killAfter !== undefined && entry.controlId === killAfter)
        process.kill(process.pid, 'SIGKILL');
    },
  },
});
const server = await startProcessServer(database, [...resourceFeatures, hl7]);
let apiKey: string | undefined;
if (process.env.SEED_FACILITY) {
  const tenant = await createTenant(database.db, { name: 'Crash clinic' });
  await registerFacility(
    database.db,
    {
      tenantId: tenant.tenantId,
      sendingFacility: process.env.SEED_FACILITY,
      allowedSources: ['127.0.0.1'],
    },
    new Date(),
  );
  apiKey = tenant.apiKey;
}
process.stdout.write(
  `${JSON.stringify({ mllpPort: hl7.mllpAddress()?.port, url: server.url, apiKey })}\n`,
);
