/**
 * Push devices at rest: the token and label are sealed under the active
 * key and bound to their row; a rotation moves them to the new key (the
 * patients feature's job), after which the old key can go and the push
 * sender still reads every token; the blind index still finds a token
 * registered again.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type KeyRotation, openKeyRotation } from '../../test/helpers/key-rotation.ts';
import { withKeyRing } from '../crypto/keys.ts';
import { listDevices, pushTargetsOf, reencryptDevices, registerDevice } from './devices.ts';
import { createPatient } from './service.ts';

let rotation: KeyRotation;
beforeAll(async () => {
  rotation = await openKeyRotation({ tenant: 'Device clinic', kid: 'k-dev', keyByte: 7 });
}, 120_000);
afterAll(() => rotation.database.close());

describe('push devices at rest', () => {
  test('tokens are sealed, move to a new key on rotation, and stay readable and findable', async () => {
    const { database, change, rotated, newOnly } = rotation;
    const db = database.db;
    const patient = await createPatient(db, change, { givenName: 'Elif', familyName: 'Key' });
    const tokens = ['rotation-token-aaaa', 'rotation-token-bbbb'];
    const devices = [];
    for (const token of tokens)
      devices.push(
        await registerDevice(db, change, patient.id, { token, platform: 'ios', label: 'Tablet' }),
      );
    const stored = await db.selectFrom('patient_devices').selectAll().execute();
    expect(stored.map((row) => row.pii_kid)).toEqual(['test-1', 'test-1']);
    for (const token of tokens) expect(JSON.stringify(stored)).not.toContain(token);
    expect(JSON.stringify(stored)).not.toContain('Tablet');

    const withNew = withKeyRing(database, rotated).db;
    expect(await reencryptDevices(withNew, { batch: 1 })).toBe(1);
    expect(await reencryptDevices(withNew, { batch: 10 })).toBe(1);
    expect(await reencryptDevices(withNew, { batch: 10 })).toBe(0);

    const afterwards = withKeyRing(database, newOnly).db;
    const targets = await pushTargetsOf(afterwards, change.tenantId, patient.id);
    expect(targets.map((t) => t.token).sort()).toEqual([...tokens].sort());
    const listed = await listDevices(afterwards, change.tenantId, patient.id);
    expect(listed.data.map((d) => d.label)).toEqual(['Tablet', 'Tablet']);
    // The blind index does not depend on the encryption key: the same token is the same device.
    const again = await registerDevice(afterwards, change, patient.id, {
      token: tokens[0] ?? '',
      platform: 'ios',
    });
    expect(again.id).toBe(devices[0]?.id);
  });
});
