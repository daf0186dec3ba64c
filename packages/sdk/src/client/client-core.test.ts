/** `ClinicBridgeClient`: single imported operations with an API key or an OAuth strategy. */
import { describe, expect, it } from 'vitest';
import { appointmentsGet, appointmentsList } from '../contract/index.ts';
import { API_KEY, appointmentSample, BASE_URL } from './__fixtures__/samples.ts';
import { json, scriptedFetch } from './__fixtures__/scripted-fetch.ts';
import { oauthClientCredentials } from './auth/oauth.ts';
import { ClinicBridgeClient } from './client-core.ts';
import type { ClientCoreOptions } from './core/options.ts';

const appointmentId = 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa';

describe('ClinicBridgeClient', () => {
  it('calls a single imported operation with an API key', async () => {
    const { fetch, requests } = scriptedFetch([
      json(appointmentSample()),
      json({ data: [appointmentSample()], nextCursor: null }),
    ]);
    const client = new ClinicBridgeClient({ baseUrl: BASE_URL, apiKey: API_KEY, fetch });
    const appointment = await client.request(appointmentsGet, { appointmentId });
    expect(appointment.id).toBe(appointmentId);
    const page = await client.request(appointmentsList, { limit: 5 }).page();
    expect(page.data).toHaveLength(1);
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      `/api/v1/appointments/${appointmentId}`,
      '/api/v1/appointments',
    ]);
  });

  it('takes an OAuth strategy through auth', async () => {
    const { fetch, requests } = scriptedFetch([
      json({ access_token: 'tok-a', token_type: 'Bearer', expires_in: 900, scope: '' }),
      json(appointmentSample()),
    ]);
    const auth = oauthClientCredentials({
      baseUrl: BASE_URL,
      clientId: 'cli_x',
      clientSecret: 'secret-value-long-enough',
      fetch,
    });
    const client = new ClinicBridgeClient({ baseUrl: BASE_URL, auth, fetch });
    await client.request(appointmentsGet, { appointmentId });
    expect(requests[1]!.headers.get('authorization')).toBe('Bearer tok-a');
  });

  it('refuses client credentials without a strategy, pointing to the fix', () => {
    const options = { baseUrl: BASE_URL, clientId: 'cli_x', clientSecret: 's' };
    expect(() => new ClinicBridgeClient(options as unknown as ClientCoreOptions)).toThrow(
      /oauthClientCredentials/,
    );
  });
});
