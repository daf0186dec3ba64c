/**
 * The staff directory over gRPC against a real gRPC server on 127.0.0.1
 * (grpc-js, `staff-directory.proto`): the port's three calls, then a
 * started ClinicBridge server whose `/ops` Basic sign-ins and roles come
 * from it — a manager acts, a viewer and a manager without the `ops.act`
 * permission are refused, an account with no role is refused — and, with
 * the directory down, sign-in and actions are refused, never let through;
 * over TLS, the configured CA is required.
 *
 * Run alone: `pnpm vitest run src/console/identity/grpc-directory.int.test.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.ts';
import { operatorConfig } from '../config.ts';
import { consoleFeature } from '../feature.ts';
import type { StaffDirectory } from './directory.ts';
import { grpcStaffDirectory, staffDirectoryService } from './grpc-directory.ts';
import { staffIdentity } from './identity.ts';

interface Account {
  password: string;
  subject: string;
  name: string;
  roles: string[];
  permissions: string[];
}

const ACCOUNTS: Record<string, Account> = {
  ada: {
    password: 'ada long password',
    subject: 'stf_ada',
    name: 'Ada Lovelace',
    roles: ['ops-manager'],
    permissions: ['ops.act'],
  },
  bob: {
    password: 'bob long password',
    subject: 'stf_bob',
    name: 'Bob Viewer',
    roles: ['staff', 'ops-viewer'],
    permissions: [],
  },
  eve: {
    password: 'eve long password',
    subject: 'stf_eve',
    name: 'Eve Suspended',
    roles: ['ops-manager'],
    permissions: [],
  },
  nina: {
    password: 'nina long password',
    subject: 'stf_nina',
    name: 'Nina Nurse',
    roles: ['nurse'],
    permissions: [],
  },
};
const bySubject = (subject: string) => Object.values(ACCOUNTS).find((a) => a.subject === subject);

type Handler = grpc.handleUnaryCall<Record<string, unknown>, Record<string, unknown>>;
const handlers: Record<string, Handler> = {
  Authenticate: (call, callback) => {
    const account = ACCOUNTS[String(call.request.username)];
    const ok = account !== undefined && account.password === call.request.password;
    callback(
      null,
      ok ? { ok, subject: account.subject, displayName: account.name } : { ok: false },
    );
  },
  GetRoles: (call, callback) =>
    callback(null, { roles: bySubject(String(call.request.subject))?.roles ?? [] }),
  CheckPermission: (call, callback) =>
    callback(null, {
      allowed:
        bySubject(String(call.request.subject))?.permissions.includes(
          String(call.request.permission),
        ) ?? false,
    }),
};

let grpcServer: grpc.Server;
let address: string;
let directory: StaffDirectory;
let running: TestServer;

beforeAll(async () => {
  grpcServer = new grpc.Server();
  grpcServer.addService(staffDirectoryService(), handlers);
  const port = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  address = `127.0.0.1:${port}`;
  directory = grpcStaffDirectory(address, 20_000);
  running = await startTestServer({
    tenantCount: 0,
    features: [consoleFeature()],
    env: {
      OPS_STAFF_DIRECTORY_GRPC_URL: address,
      OPS_STAFF_DIRECTORY_TIMEOUT: '20s',
      OPS_SESSION_SECRET: 'a session secret of at least thirty-two characters',
    },
  });
}, 120_000);

afterAll(async () => {
  directory?.close();
  grpcServer?.forceShutdown();
  await running?.server.close();
});

const basic = (user: string) =>
  `Basic ${Buffer.from(`${user}:${ACCOUNTS[user]?.password}`).toString('base64')}`;
const get = (path: string, headers: Record<string, string>) =>
  fetch(`${running.server.url}${path}`, {
    headers: { accept: 'text/html', ...headers },
    redirect: 'manual',
  });
/** A form post as the /ops page's own form makes it (same origin). */
const post = (path: string, headers: Record<string, string>) =>
  fetch(`${running.server.url}${path}`, {
    method: 'POST',
    headers: {
      accept: 'text/html',
      origin: running.server.url,
      'content-type': 'application/x-www-form-urlencoded',
      ...headers,
    },
    body: '',
    redirect: 'manual',
  });

describe('the port over gRPC', () => {
  test('authenticates, lists roles and checks a permission', async () => {
    expect(await directory.authenticate('ada', 'ada long password')).toEqual({
      subject: 'stf_ada',
      name: 'Ada Lovelace',
    });
    expect(await directory.authenticate('ada', 'wrong')).toBeNull();
    expect(await directory.authenticate('nobody', 'x')).toBeNull();
    expect(await directory.roles('stf_bob')).toEqual(['staff', 'ops-viewer']);
    expect(await directory.checkPermission('stf_ada', 'ops.act')).toBe(true);
    expect(await directory.checkPermission('stf_eve', 'ops.act')).toBe(false);
  });
});

describe('a started server signing staff in through the directory', () => {
  let adaSession = '';

  test('roles come from the directory; only a manager with the permission acts; every action names the staff member', async () => {
    const page = await get('/ops', { authorization: basic('ada') });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('Ada Lovelace');
    expect(text).toContain('role: <strong>manager</strong>');
    const viewerPage = await get('/ops', { authorization: basic('bob') });
    expect(viewerPage.status).toBe(200);
    expect(await viewerPage.text()).toContain('role: <strong>viewer</strong>');

    const acted = await post('/ops/alerts/alr_none/resolve', { authorization: basic('ada') });
    expect(acted.status).toBe(303);
    const viewer = await post('/ops/alerts/alr_none/resolve', { authorization: basic('bob') });
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).toContain('can look but not act');
    const suspended = await post('/ops/alerts/alr_none/resolve', { authorization: basic('eve') });
    expect(suspended.status).toBe(403);
    const noRole = await get('/ops', { authorization: basic('nina') });
    expect(noRole.status).toBe(403);
    expect(await noRole.text()).toContain('holds no operator role');
    const wrong = await get('/ops', {
      authorization: `Basic ${Buffer.from('ada:nope').toString('base64')}`,
    });
    expect(wrong.status).toBe(401);

    const rows = await running.server.database.db
      .selectFrom('operator_actions')
      .select(['operator', 'staff_role', 'staff_name', 'action'])
      .where('action', '=', 'alert.resolve')
      .execute();
    expect(rows).toEqual([
      {
        operator: 'stf_ada',
        staff_role: 'manager',
        staff_name: 'Ada Lovelace',
        action: 'alert.resolve',
      },
    ]);

    const signIn = await get('/ops/sign-in/basic', { authorization: basic('ada') });
    expect(signIn.status).toBe(303);
    adaSession = /cb_ops_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')?.[0] ?? '';
    expect(adaSession).not.toBe('');
    const withSession = await get('/ops', { cookie: adaSession });
    expect(await withSession.text()).toContain('Ada Lovelace');
  });

  test('with the directory down, sign-in and actions are refused, never let through', async () => {
    grpcServer.forceShutdown();
    const page = await get('/ops', { authorization: basic('ada') });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('Staff directory unavailable');
    const script = await fetch(`${running.server.url}/ops`, {
      headers: { authorization: basic('ada') },
    });
    expect(script.status).toBe(503);
    const action = await post('/ops/alerts/alr_none/resolve', { authorization: basic('ada') });
    expect(action.status).toBe(503);
    // A session the directory opened earlier may still read, but not act without it.
    expect((await get('/ops', { cookie: adaSession })).status).toBe(200);
    const bySession = await post('/ops/alerts/alr_none/resolve', { cookie: adaSession });
    expect(bySession.status).toBe(503);
    await expect(directory.authenticate('ada', 'ada long password')).rejects.toThrow(
      /did not answer/,
    );
  });
});

describe('over TLS', () => {
  test('with the directory CA the calls go through; a plaintext client is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-staff-tls-'));
    const tls = new grpc.Server();
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=staff-directory',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'pipe' },
      );
      const cert = readFileSync(join(dir, 'cert.pem'));
      tls.addService(staffDirectoryService(), handlers);
      const port = await new Promise<number>((resolve, reject) =>
        tls.bindAsync(
          '127.0.0.1:0',
          grpc.ServerCredentials.createSsl(null, [
            { private_key: readFileSync(join(dir, 'key.pem')), cert_chain: cert },
          ]),
          (error, bound) => (error ? reject(error) : resolve(bound)),
        ),
      );
      const identity = staffIdentity(
        operatorConfig.parse({
          OPS_STAFF_DIRECTORY_GRPC_URL: `127.0.0.1:${port}`,
          OPS_STAFF_DIRECTORY_TLS_CA: cert.toString(),
          OPS_STAFF_DIRECTORY_TIMEOUT: '20s',
        }),
      );
      expect(await identity.directory?.authenticate('bob', 'bob long password')).toEqual({
        subject: 'stf_bob',
        name: 'Bob Viewer',
      });
      const plaintext = grpcStaffDirectory(`127.0.0.1:${port}`, 20_000);
      await expect(plaintext.authenticate('bob', 'bob long password')).rejects.toThrow(
        /did not answer/,
      );
      plaintext.close();
      identity.directory?.close();
    } finally {
      tls.forceShutdown();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
