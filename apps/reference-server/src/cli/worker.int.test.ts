/**
 * `clinicbridge-server worker` as an operator runs it (`node src/cli.ts`):
 * bad `--queues` and a missing `NOTIFICATIONS_QUEUE_URL` fail with a clear
 * message before anything is consumed. Sending is tested end to end in
 * src/notifications/worker.int.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cliTestTimeout, runCli } from '../../test/helpers/cli.ts';
import { parseQueues } from './worker.ts';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cb-worker-cli-'));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function worker(args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, NOTIFICATIONS_QUEUE_URL: _unset, ...rest } = process.env;
  return runCli(['worker', ...args], { ...rest, DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...env });
}

describe('clinicbridge-server worker', { timeout: cliTestTimeout(2) }, () => {
  test('--queues takes the notification queues, once each', () => {
    expect(parseQueues(' sms_notifications,email_notifications,sms_notifications ')).toEqual([
      'sms_notifications',
      'email_notifications',
    ]);
    expect(() => parseQueues('')).toThrow('worker needs --queues');
  });

  test('an unknown queue, or no NOTIFICATIONS_QUEUE_URL, fails with a clear message', async () => {
    await expect(worker(['--queues', 'sms_notifications,fax_notifications'])).rejects.toMatchObject(
      {
        code: 1,
        stderr: expect.stringContaining('"fax_notifications" is not a notification queue'),
      },
    );
    await expect(worker(['--queues', 'sms_notifications'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('worker needs NOTIFICATIONS_QUEUE_URL'),
    });
  });
});
