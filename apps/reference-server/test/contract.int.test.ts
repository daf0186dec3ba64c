/**
 * The SDK's contract suite against the reference server over real HTTP on
 * 127.0.0.1, through the real SDK client, with the event-bus feature mounted
 * and its dispatcher running: webhook endpoints point at a local receiver
 * that `WEBHOOK_TARGET_ALLOWLIST` permits, so endpoints, deliveries and dead
 * letters are exercised for real. Imports and exports run with the storage
 * feature on a temporary directory; checkouts go to the adapters' Stripe
 * fake served on 127.0.0.1. Any operation no feature implements
 * would be declared unsupported (the suite then checks its 501); today there
 * is none. The clinical feed of the encounter
 * cases is real: HL7 v2 ADT messages over MLLP to the server's listener.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FakeStripe,
  type ServedFakeProvider,
  STRIPE_API,
  serveFakeProvider,
} from '@clinicbridge/adapters/testing';
import { MllpClient } from '@clinicbridge/hl7/node';
import { listOperations } from '@clinicbridge/sdk/contract';
import type {
  CatalogueSeeder,
  ClinicalFeed,
  ClinicalFeedInput,
} from '@clinicbridge/sdk/testing/contract-suite';
import { defineContractSuite } from '@clinicbridge/sdk/testing/contract-suite';
import { afterAll, expect, test, vi } from 'vitest';
import { checkoutFeature } from '../src/checkout/feature.ts';
import { claimsFeature } from '../src/claims/feature.ts';
import { deliveryConfig } from '../src/delivery/config.ts';
import { documentsFeature } from '../src/documents/feature.ts';
import { eInvoicingFeature } from '../src/einvoicing/feature.ts';
import { exportsFeature } from '../src/exports/feature.ts';
import { resourceFeatures } from '../src/features.ts';
import { hl7Config } from '../src/hl7/config.ts';
import { registerFacility } from '../src/hl7/facilities.ts';
import { hl7Feature } from '../src/hl7/feature.ts';
import { importsFeature } from '../src/imports/feature.ts';
import { inboundConfig } from '../src/inbound/config.ts';
import { installmentsFeature } from '../src/installments/feature.ts';
import { moneyFeature } from '../src/money/feature.ts';
import { reconciliationFeature } from '../src/reconciliation/feature.ts';
import { shippingFeature } from '../src/shipping/feature.ts';
import { storageFeature } from '../src/storage/feature.ts';
import { subscriptionsFeature } from '../src/subscriptions/feature.ts';
import { teleRoomsFeature } from '../src/tele/feature.ts';
import { visasFeature } from '../src/visas/feature.ts';
import { type Receiver, startReceiver } from './delivery/receiver.ts';
import { testDatabaseKind } from './helpers/database.ts';
import { eventFeatures, handledOperationIds } from './helpers/features.ts';
import { startTestServer, type TestServer } from './helpers/http-server.ts';
import { adt } from './hl7/messages.ts';

const hl7 = hl7Feature({
  config: hl7Config.parse({ HL7_MLLP_PORT: '0', HL7_MLLP_HOST: '127.0.0.1' }),
});
/** The features, with the receiver's host and port (`allowlist`) as the SSRF guard's one exception. */
const featuresAllowing = (allowlist: string) => [
  ...eventFeatures({
    ...deliveryConfig.parse({
      WEBHOOK_TARGET_ALLOWLIST: allowlist,
      WEBHOOK_POLL_INTERVAL: '50ms',
      WEBHOOK_TIMEOUT_MS: '1000',
    }),
    ...inboundConfig.parse({}),
  }),
  claimsFeature,
  visasFeature,
  teleRoomsFeature,
  moneyFeature,
  checkoutFeature,
  reconciliationFeature,
  installmentsFeature,
  subscriptionsFeature,
  storageFeature,
  eInvoicingFeature,
  documentsFeature,
  shippingFeature,
  importsFeature,
  exportsFeature,
  hl7,
];

const implemented = handledOperationIds([...resourceFeatures, ...featuresAllowing('')]);
type OperationId = Parameters<typeof defineContractSuite>[0]['unsupported'] extends
  | readonly (infer I)[]
  | undefined
  ? I
  : never;
const unsupported = listOperations()
  .map((op) => op.id)
  .filter((id) => !implemented.has(id)) as OperationId[];

let running: TestServer | undefined;
let receiver: Receiver | undefined;
let stripe: ServedFakeProvider | undefined;
const fakeStripe = new FakeStripe();
let mllp: MllpClient | undefined;

/** The main tenant's catalogue, written as a clinic writes it: a `pricing` then a `capacity` import. */
function importingCatalogue(baseUrl: string, apiKey: string): CatalogueSeeder {
  const importRows = async (kind: string, row: Record<string, unknown>) => {
    const res = await fetch(`${baseUrl}/api/v1/imports`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ kind, format: 'ndjson', content: JSON.stringify(row) }),
    });
    const job = (await res.json()) as { importedRows?: number };
    if (res.status !== 202 || job.importedRows !== 1) {
      throw new Error(`${kind} import: ${res.status} ${JSON.stringify(job)}`);
    }
  };
  return {
    seed: async (input) => {
      await importRows('pricing', {
        serviceCode: input.serviceCode,
        serviceName: input.serviceName,
        clinicRef: input.clinicRef,
        currency: input.price.currency,
        // Files carry major units; the suite's currency (TRY) has two decimals.
        price: (input.price.amount / 100).toFixed(2),
      });
      await importRows('capacity', {
        practitionerRef: input.practitionerRef,
        practitionerName: input.practitionerName,
        serviceCode: input.serviceCode,
        clinicRef: input.clinicRef,
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        capacity: input.capacity,
      });
    },
  };
}

/** The main tenant's ADT feed: each call is an HL7 message over MLLP, awaited until applied. */
function mllpFeed(server: TestServer['server']): ClinicalFeed {
  let sequence = 0;
  const send = async (trigger: string, input: ClinicalFeedInput) => {
    const controlId = `CS-${Date.now()}-${++sequence}`;
    const location = input.location
      ? `${input.location.pointOfCare}^${input.location.room}^${input.location.bed}`
      : '';
    mllp ??= await MllpClient.connect({ host: '127.0.0.1', port: hl7.mllpAddress()!.port });
    const ack = await mllp.send(
      adt({ trigger, controlId, mrn: input.mrn, visit: input.visitNumber, location }),
    );
    if (!ack.includes('MSA|AA|')) throw new Error(`the listener did not accept ${trigger}: ${ack}`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const row = await server.database.db
        .selectFrom('hl7_messages')
        .select(['status', 'reason'])
        .where('control_id', '=', controlId)
        .executeTakeFirst();
      if (row?.status === 'processed') return;
      if (row?.status === 'failed') throw new Error(`${trigger} failed: ${row.reason}`);
      if (Date.now() > deadline) throw new Error(`${trigger} was not applied in time`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    admit: (input) => send('A01', input),
    transfer: (input) => send('A02', input),
    discharge: (input) => send('A03', input),
  };
}

defineContractSuite({
  name: `reference server with event delivery over HTTP (${testDatabaseKind})`,
  unsupported,
  setup: async () => {
    receiver = await startReceiver();
    stripe = await serveFakeProvider(STRIPE_API, fakeStripe.handlers());
    running = await startTestServer({
      tenantCount: 2,
      env: {
        STRIPE_SECRET_KEY: fakeStripe.secretKey,
        STRIPE_API_URL: stripe.url,
        RATE_LIMIT_HIGH_PER_MINUTE: '100000',
        RATE_LIMIT_STANDARD_PER_MINUTE: '100000',
        STORAGE_DIR: mkdtempSync(join(tmpdir(), 'contract-storage-')),
      },
      features: featuresAllowing(new URL(receiver.url).host),
    });
    const [main, other] = running.tenants;
    if (!main || !other) throw new Error('tenants missing');
    const baseUrl = running.server.url;
    await registerFacility(
      running.server.database.db,
      { tenantId: main.tenantId, sendingFacility: 'CITYHOSP', allowedSources: ['127.0.0.1'] },
      new Date(),
    );
    return {
      clinicalFeed: mllpFeed(running.server),
      catalogue: importingCatalogue(baseUrl, main.apiKey),
      baseUrl,
      apiKey: main.apiKey,
      otherTenantApiKey: other.apiKey,
      webhookBaseUrl: `${receiver.url}/hooks`,
      createToken: async (scopes) => {
        const res = await fetch(`${baseUrl}/api/v1/integration-tokens`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${main.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': crypto.randomUUID(),
          },
          body: JSON.stringify({
            name: 'contract suite',
            scopes,
            tier: 'high',
            approval: { approver: 'Clinic manager', reason: 'contract suite credentials' },
          }),
        });
        if (res.status !== 201) throw new Error(`create token: ${res.status} ${await res.text()}`);
        return ((await res.json()) as { apiKey: string }).apiKey;
      },
    };
  },
  teardown: async () => {
    // Deliveries are asynchronous: give the dispatcher a bounded moment to
    // deliver the pings before it stops; the test below checks what arrived.
    await vi
      .waitFor(() => {
        if (!receiver?.received.some((r) => r.body.includes('webhook_endpoint.ping')))
          throw new Error('no ping yet');
      }, 5_000)
      .catch(() => undefined);
    await mllp?.close();
    await running?.server.close();
    await stripe?.close();
  },
});

test('every operation of the contract is implemented', () => {
  expect(unsupported).toEqual([]);
});

test('the suite’s pings reached the local receiver with Standard Webhooks headers', () => {
  const pings = (receiver?.received ?? []).filter((r) => r.body.includes('webhook_endpoint.ping'));
  expect(pings.length).toBeGreaterThan(0);
  for (const ping of pings) {
    expect(ping.path.startsWith('/hooks/')).toBe(true);
    expect(ping.headers['webhook-id']).toMatch(/^evt_/);
    expect(ping.headers['webhook-signature']).toMatch(/^v1,/);
  }
});

afterAll(() => receiver?.close());
