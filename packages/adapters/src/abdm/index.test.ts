/** ABDM gateway against the fake: conformance, request headers, session token cache, callbacks. */
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { InMemoryManualTaskSink } from '../core/manual-tasks.ts';
import { InMemoryTokenCache } from '../core/token-cache.ts';
import { describeHealthIdGatewayConformance } from '../ports/__fixtures__/health-id-gateway.case.ts';
import { rejection } from '../ports/__fixtures__/rejection.ts';
import { withStatus } from '../ports/health-id.ts';
import { ABDM_API, FakeAbdm } from '../testing/abdm.ts';
import { createAbdmGateway, parseConsentArtefact, parseConsentNotification } from './index.ts';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 }, breaker: { consecutiveFailures: 3 } };

const build = (
  fake: FakeAbdm,
  extra: { tokenCache?: InMemoryTokenCache; clientSecret?: string } = {},
) => {
  const sink = new InMemoryManualTaskSink();
  const gateway = createAbdmGateway({
    clientId: fake.clientId,
    clientSecret: extra.clientSecret ?? fake.clientSecret,
    hiuId: 'clinic-hiu',
    hipId: 'clinic-hip',
    requester: { name: 'Dr. Asha Rao', registrationNo: 'MH-12345' },
    sink,
    policies: fast,
    ...(extra.tokenCache ? { tokenCache: extra.tokenCache } : {}),
  });
  return { gateway, sink };
};

describeHealthIdGatewayConformance({
  name: 'abdm',
  apiUrl: `${ABDM_API}/api/hiecm/consent/*`,
  setup() {
    const fake = new FakeAbdm();
    const { gateway, sink } = build(fake);
    return {
      gateway,
      handlers: fake.handlers(),
      sink,
      async grant(requestId) {
        const notice = parseConsentNotification(fake.grant(requestId));
        const artefactId = notice.artefactIds[0]!;
        await gateway.fetchArtefact({ artefactId, patientRef: 'pat_1' });
        return parseConsentArtefact(fake.onFetch(artefactId), notice.consentRequestId);
      },
      revoke(artefact) {
        return withStatus(artefact, parseConsentNotification(fake.revoke(artefact.id)).status);
      },
      recorded: () => fake.consentRequests.length + fake.links.length,
      requests: () => fake.requests.filter((url) => !url.endsWith('/sessions')),
    };
  },
});

describe('abdm specifics', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  const setup = (extra: Parameters<typeof build>[1] = {}) => {
    const fake = new FakeAbdm();
    server.use(...fake.handlers());
    return { fake, ...build(fake, extra) };
  };

  test('the consent request has the gateway shape and the ack is its REQUEST-ID', async () => {
    const { fake, gateway } = setup();
    const ack = await gateway.requestConsent({
      patientRef: 'pat_1',
      abhaAddress: 'ayesha@sbx',
      purpose: 'CAREMGT',
      hiTypes: ['Prescription'],
      from: '2025-01-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    expect(ack).toEqual({ status: 'accepted', requestId: fake.consentRequests[0]!.requestId });
    expect(fake.consentRequests[0]!.body).toMatchObject({
      consent: {
        purpose: { code: 'CAREMGT', text: 'Care Management' },
        patient: { id: 'ayesha@sbx' },
        hiu: { id: 'clinic-hiu' },
        permission: { dataEraseAt: '2027-01-01T00:00:00.000Z', accessMode: 'VIEW' },
      },
    });
    expect(JSON.stringify(fake.consentRequests[0]!.body)).not.toContain('pat_1');
  });

  test('linking sends the ABHA number without dashes and the link token as a header', async () => {
    const { fake, gateway } = setup();
    await gateway.linkAbha({
      patientRef: 'pat_1',
      abhaNumber: '91-1234-5678-9012',
      abhaAddress: 'ayesha@sbx',
      linkToken: 'link-token-1',
      careContexts: ['visit_1'],
    });
    expect(fake.links[0]).toMatchObject({
      linkToken: 'link-token-1',
      body: { abhaNumber: '91123456789012', abhaAddress: 'ayesha@sbx' },
    });
  });

  test('one session token serves many calls, under its cache key; an expired one is replaced', async () => {
    const tokenCache = new InMemoryTokenCache();
    const { fake, gateway } = setup({ tokenCache });
    const link = {
      patientRef: 'pat_1',
      abhaNumber: '91123456789012',
      abhaAddress: 'a_b@sbx',
      linkToken: 't',
      careContexts: ['visit_1'],
    };
    await gateway.linkAbha(link);
    await gateway.linkAbha(link);
    expect(fake.tokenRequests).toBe(1);
    expect(tokenCache.keys()).toEqual([`abdm:token:${fake.clientId}`]);
    fake.expireTokens();
    expect((await gateway.linkAbha(link)).status).toBe('accepted');
    expect(fake.tokenRequests).toBe(2);
  });

  test('wrong client credentials are auth_failed, not a manual task', async () => {
    const { gateway, sink } = setup({ clientSecret: 'wrong' });
    const error = await rejection(
      gateway.fetchArtefact({ artefactId: 'ca-1', patientRef: 'pat_1' }),
    );
    expect(error.code).toBe('auth_failed');
    expect(sink.tasks).toHaveLength(0);
  });

  test('callbacks are validated', () => {
    expect(
      parseConsentNotification({ notification: { consentRequestId: 'cr-1', status: 'DENIED' } }),
    ).toEqual({
      consentRequestId: 'cr-1',
      status: 'DENIED',
      artefactIds: [],
    });
    expect(() => parseConsentNotification({ notification: { status: 'MAYBE' } })).toThrow(
      /invalid/,
    );
  });
});
