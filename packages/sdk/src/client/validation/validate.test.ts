/** Response validation modes: strict, warn and off, per client and per call. */
import { describe, expect, it } from 'vitest';
import { API_KEY, appointmentSample, BASE_URL } from '../__fixtures__/samples.ts';
import { json, scriptedFetch } from '../__fixtures__/scripted-fetch.ts';
import { ClinicBridge } from '../clinic-bridge.ts';
import type { ValidationMode } from '../core/types.ts';
import { isResponseValidationError } from '../errors/guards.ts';

const appointmentId = 'apt_aaaaaaaaaaaaaaaaaaaaaaaaaa';
const broken = { ...appointmentSample(), status: 'teleported', startsAt: 'tomorrow' };

function client(mode: ValidationMode | undefined, warnings: Error[] = []) {
  return new ClinicBridge({
    baseUrl: BASE_URL,
    apiKey: API_KEY,
    fetch: scriptedFetch([json(broken, 200, { 'x-request-id': 'req_bad' })]).fetch,
    ...(mode ? { validation: mode } : {}),
    hooks: { onValidationWarning: (e) => warnings.push(e) },
  });
}

describe('response validation', () => {
  it('strict (the default) throws ResponseValidationError with the raw body and request id', async () => {
    const error = await client(undefined)
      .appointments.get({ appointmentId })
      .catch((e: unknown) => e);
    expect(isResponseValidationError(error)).toBe(true);
    if (!isResponseValidationError(error)) return;
    expect(error.body).toEqual(broken);
    expect(error.requestId).toBe('req_bad');
    expect(error.code).toBe('response_validation_failed');
    expect(error.issues.map((i) => i.path).sort()).toEqual(['startsAt', 'status']);
  });

  it('warn reports through onValidationWarning and returns the body as received', async () => {
    const warnings: Error[] = [];
    const data = await client('warn', warnings).appointments.get({ appointmentId });
    expect(data).toEqual(broken);
    expect(warnings).toHaveLength(1);
    expect(isResponseValidationError(warnings[0])).toBe(true);
  });

  it('off returns the body unchecked; per-request mode overrides the client', async () => {
    expect(await client('off').appointments.get({ appointmentId })).toEqual(broken);
    const data = await client('strict').appointments.get({ appointmentId }, { validation: 'off' });
    expect(data).toEqual(broken);
  });

  it('strips fields the contract does not know in strict mode', async () => {
    const c = new ClinicBridge({
      baseUrl: BASE_URL,
      apiKey: API_KEY,
      fetch: scriptedFetch([json({ ...appointmentSample(), addedLater: true })]).fetch,
    });
    const result = await c.appointments.get({ appointmentId }).withResponse();
    expect(result.data).toEqual(appointmentSample());
    expect(result.raw).toMatchObject({ addedLater: true });
  });
});
