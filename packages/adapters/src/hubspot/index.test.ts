/** HubSpot CRM against the fake: conformance, exact wire fields, error mapping, attribution. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { describeCrmSyncConformance } from '../ports/__fixtures__/crm-sync.case.ts';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { CRM_CONTACT_FIELDS } from '../ports/crm.ts';
import { FakeHubSpot, HUBSPOT_API } from '../testing/hubspot.ts';
import { createHubSpotCrm, mapHubSpotError } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

describeCrmSyncConformance({
  name: 'hubspot',
  apiUrl: `${HUBSPOT_API}/crm/*`,
  setup(clock) {
    const fake = new FakeHubSpot({ now: clock.now });
    const sink = new InMemoryManualTaskSink();
    return {
      crm: createHubSpotCrm({ accessToken: fake.accessToken, sink, policies: fast }),
      handlers: fake.handlers(),
      sink,
      editContactInCrm: (email) =>
        fake.editInCrm('contacts', 'email', email, { firstname: 'Edited by marketing' }),
      dealStage: (ref) => fake.find('deals', 'clinicbridge_ref', ref)?.properties.dealstage,
      requests: () => fake.requests,
    };
  },
});

describe('hubspot specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const setup = (token?: string) => {
    const fake = new FakeHubSpot();
    server.use(...fake.handlers());
    const sink = new InMemoryManualTaskSink();
    const crm = createHubSpotCrm({
      accessToken: token ?? fake.accessToken,
      sink,
      policies: fast,
      dealStages: { booked: 'closedwon' },
    });
    return { fake, crm, sink };
  };

  test('the contact allow-list is exactly these fields, and exactly these go over the wire', async () => {
    expect([...CRM_CONTACT_FIELDS].sort()).toEqual(
      [
        'country',
        'email',
        'externalRef',
        'firstName',
        'leadSource',
        'lifecycleStage',
        'marketingConsent',
        'preferredLocale',
        'updatedAt',
      ].sort(),
    );
    const { fake, crm } = setup();
    await crm.upsertContact({
      externalRef: 'pat_1',
      email: 'ayse@example.com',
      firstName: 'Ayse',
      preferredLocale: 'tr',
      country: 'DE',
      lifecycleStage: 'lead',
      leadSource: 'instagram',
      marketingConsent: false,
      updatedAt: '2026-12-02T10:00:00Z',
    });
    expect(fake.writes).toEqual([
      {
        type: 'contacts',
        body: {
          inputs: [
            {
              idProperty: 'email',
              id: 'ayse@example.com',
              properties: {
                email: 'ayse@example.com',
                firstname: 'Ayse',
                hs_language: 'tr',
                country: 'DE',
                lifecyclestage: 'lead',
                clinicbridge_lead_source: 'instagram',
                clinicbridge_marketing_consent: 'false',
                clinicbridge_ref: 'pat_1',
                clinicbridge_updated_at: '2026-12-02T10:00:00Z',
              },
            },
          ],
        },
      },
    ]);
  });

  test('deals carry the amount as a decimal and the configured stage id', async () => {
    const { fake, crm } = setup();
    await crm.upsertDeal({
      externalRef: 'case_1',
      contactEmail: 'ayse@example.com',
      name: 'Dental package',
      stage: 'booked',
      amount: { amountMinor: 250_050, currency: 'EUR' },
      updatedAt: '2026-12-02T10:00:00Z',
    });
    expect(fake.find('deals', 'clinicbridge_ref', 'case_1')?.properties).toMatchObject({
      dealname: 'Dental package',
      dealstage: 'closedwon',
      amount: '2500.50',
      deal_currency_code: 'EUR',
    });
  });

  test('attribution is read from the analytics properties', async () => {
    const { fake, crm } = setup();
    await crm.upsertContact({
      externalRef: 'pat_1',
      email: 'ayse@example.com',
      marketingConsent: true,
      updatedAt: '2026-12-02T10:00:00Z',
    });
    fake.editInCrm('contacts', 'email', 'ayse@example.com', {
      hs_analytics_source: 'PAID_SOCIAL',
      hs_analytics_source_data_1: 'instagram',
      hs_analytics_source_data_2: 'winter-dental',
      hs_analytics_first_timestamp: '2026-11-01T09:00:00.000Z',
    });
    expect(await crm.readAttribution({ email: 'ayse@example.com' })).toEqual({
      found: true,
      source: 'PAID_SOCIAL',
      sourceDetail: 'instagram',
      campaign: 'winter-dental',
      firstSeenAt: '2026-11-01T09:00:00.000Z',
    });
  });

  test('a wrong token is auth_failed and is not turned into a manual task', async () => {
    const { crm, sink } = setup('pat-revoked');
    const error = await rejection(
      crm.upsertContact({
        externalRef: 'pat_1',
        email: 'ayse@example.com',
        marketingConsent: true,
        updatedAt: '2026-12-02T10:00:00Z',
      }),
    );
    expect(error).toMatchObject({ code: 'auth_failed', providerCode: 'INVALID_AUTHENTICATION' });
    expect(sink.tasks).toHaveLength(0);
    expect(error.message).not.toContain('ayse@example.com');
  });

  test('maps HubSpot categories', () => {
    const reply = (status: number, category: string) => ({
      status,
      body: { status: 'error', category },
      headers: new Headers(),
    });
    expect(mapHubSpotError(reply(429, 'RATE_LIMITS'))).toEqual({
      code: 'rate_limited',
      providerCode: 'RATE_LIMITS',
    });
    expect(mapHubSpotError(reply(409, 'CONFLICT'))?.code).toBe('conflict');
    expect(mapHubSpotError(reply(502, 'VALIDATION_ERROR'))?.code).toBeUndefined();
    expect(mapHubSpotError(reply(200, 'X'))).toBeUndefined();
  });
});
