/**
 * Staff sign-in in a real browser (Debian's chromium through playwright-core)
 * against a started server and a real OIDC provider (`oidc-provider` on
 * 127.0.0.1, its own login and consent pages): a manager signs in by
 * clicking, sees their role, creates a token (its key shown once, and it
 * works), revokes it (and it stops working), and signs out; a viewer sees
 * the lists without one action button, and a post made by a form on the
 * viewer's own page is refused in words; an account with no operator role
 * is turned away; the operator password (HTTP Basic) still signs in as a
 * manager. Nothing here sets a header a browser would not send.
 *
 * Run alone: `pnpm vitest run src/console/identity/sign-in.int.test.ts`.
 */
import { createServer, type Server } from 'node:http';
import Provider from 'oidc-provider';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../../../test/helpers/browser.ts';
import { startTestServer, type TestServer } from '../../../test/helpers/http-server.ts';
import { consoleFeature } from '../feature.ts';

const WAIT = { timeout: 60_000 };
const CLIENT_ID = 'clinicbridge-ops';
const CLIENT_SECRET = 'the console client secret at the test provider';
const STAFF: Record<string, { name: string; roles: string[] }> = {
  ada: { name: 'Ada Manager', roles: ['staff', 'ops-manager'] },
  vera: { name: 'Vera Viewer', roles: ['ops-viewer'] },
  nils: { name: 'Nils Nurse', roles: ['nurse'] },
};

let idp: Server;
let running: TestServer;
let browser: Browser;
let url: string;

beforeAll(async () => {
  idp = createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const address = idp.address();
  if (address === null || typeof address === 'string') throw new Error('no IdP port');
  const issuer = `http://127.0.0.1:${address.port}`;
  running = await startTestServer({
    tenantCount: 1,
    features: [consoleFeature()],
    env: {
      OPS_PASSWORD: 'correct horse battery staple',
      OPS_OIDC_ISSUER: issuer,
      OPS_OIDC_CLIENT_ID: CLIENT_ID,
      OPS_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      OPS_SESSION_SECRET: 'a session secret of at least thirty-two characters',
    },
  });
  url = running.server.url;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${url}/ops/oidc/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    // `roles` is released with `profile`, so it reaches the console through
    // UserInfo (this provider keeps the ID token to `sub`).
    claims: { openid: ['sub'], profile: ['name', 'roles'] },
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, name: STAFF[id]?.name ?? id, roles: STAFF[id]?.roles ?? [] }),
    }),
    cookies: { keys: ['a cookie key of the test provider only'] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 600, Grant: 600, AccessToken: 600, IdToken: 600 },
  });
  idp.on('request', provider.callback());
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await running?.server.close();
  idp?.close();
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  // The provider's page loads a web font; this machine has no internet.
  await context.route(/^https:\/\//, (route) => route.abort());
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT.timeout);
  return { context, page };
}

/** Signs in at the provider as a person does: the link, the login form, the consent button. */
async function signIn(page: Page, login: string): Promise<void> {
  await page.goto(`${url}/ops`);
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
}

const actionRows = (action: string) =>
  running.server.database.db
    .selectFrom('operator_actions')
    .select(['operator', 'staff_role', 'staff_name', 'outcome'])
    .where('action', '=', action)
    .execute();

describe('staff sign-in by OIDC in a browser', () => {
  test('a manager signs in, creates a token shown once, revokes it, and signs out', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, 'ada');
      await page.waitForURL(`${url}/ops`, WAIT);
      await expect
        .poll(() => page.locator('[data-staff-role]').textContent(), WAIT)
        .toContain('Ada Manager');
      expect(await page.locator('[data-staff-role]').getAttribute('data-staff-role')).toBe(
        'manager',
      );
      const session = (await context.cookies()).find((c) => c.name === 'cb_ops_session');
      expect(session).toMatchObject({
        httpOnly: true,
        sameSite: 'Lax',
        secure: false,
        path: '/ops',
      });
      expect(session?.expires).toBeGreaterThan(Date.now() / 1000);

      await page.getByRole('link', { name: 'Integration tokens' }).click();
      await page.getByRole('button', { name: 'Show' }).click();
      await page.getByLabel('Name').fill('Lab sync');
      await page.getByLabel('read:appointments').check();
      await page.getByRole('button', { name: 'Create token' }).click();
      const apiKey = (await page.locator('[data-api-key]').textContent()) ?? '';
      expect(apiKey).toMatch(/^cbk_/);
      const call = () =>
        fetch(`${url}/api/v1/appointments`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect((await call()).status).toBe(200);
      // Shown once: the list afterwards has its prefix only.
      await page.goto(page.url().replace(/\/create$/, `?tenant=${running.tenants[0]?.tenantId}`));
      await page.getByRole('button', { name: 'Show' }).click();
      expect(await page.content()).not.toContain(apiKey);
      await expect.poll(() => page.getByRole('row', { name: /Lab sync/ }).count(), WAIT).toBe(1);

      await page.getByRole('button', { name: 'Revoke Lab sync' }).click();
      await expect
        .poll(() => page.getByRole('status').textContent(), WAIT)
        .toContain('Token revoked');
      expect((await call()).status).toBe(401);

      expect(await actionRows('integration_token.create')).toEqual([
        { operator: 'ada', staff_role: 'manager', staff_name: 'Ada Manager', outcome: 'created' },
      ]);
      expect(await actionRows('integration_token.revoke')).toEqual([
        { operator: 'ada', staff_role: 'manager', staff_name: 'Ada Manager', outcome: 'revoked' },
      ]);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect
        .poll(() => page.getByRole('status').textContent(), WAIT)
        .toContain('You are signed out');
      await page.goto(`${url}/ops`);
      await expect
        .poll(() => page.getByRole('link', { name: 'Sign in with single sign-on' }).count(), WAIT)
        .toBe(1);
    } finally {
      await context.close();
    }
  }, 240_000);

  test('a viewer sees no action button, and a post from a form on their page is refused', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, 'vera');
      await page.waitForURL(`${url}/ops`, WAIT);
      expect(await page.locator('[data-staff-role]').getAttribute('data-staff-role')).toBe(
        'viewer',
      );
      // The only button on the page is their own sign-out.
      expect(await page.getByRole('button').allTextContents()).toEqual(['Sign out']);

      await page.getByRole('link', { name: 'Integration tokens' }).click();
      await page.getByRole('button', { name: 'Show' }).click();
      await expect.poll(() => page.getByRole('row', { name: /Lab sync/ }).count(), WAIT).toBe(1);
      expect(await page.getByRole('button', { name: /Revoke|Create token/ }).count()).toBe(0);

      // A form on this very page, as the manager's page has it, posted by the browser.
      const tenantId = running.tenants[0]?.tenantId ?? '';
      await page.evaluate((tenant) => {
        const form = document.createElement('form');
        form.method = 'post';
        form.action = '/ops/tokens/create';
        for (const [name, value] of [
          ['tenant', tenant],
          ['name', 'Sneaky'],
          ['scope', 'read:patients'],
        ]) {
          const input = document.createElement('input');
          input.name = name ?? '';
          input.value = value ?? '';
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      }, tenantId);
      await expect.poll(() => page.locator('h1').textContent(), WAIT).toBe('Managers only');
      expect(await page.getByRole('alert').textContent()).toContain('Vera Viewer');
      const sneaky = await running.server.database.db
        .selectFrom('api_keys')
        .select('id')
        .where('name', '=', 'Sneaky')
        .execute();
      expect(sneaky).toEqual([]);
      expect(await actionRows('staff.sign_in')).toContainEqual({
        operator: 'vera',
        staff_role: 'viewer',
        staff_name: 'Vera Viewer',
        outcome: 'oidc',
      });
    } finally {
      await context.close();
    }
  }, 240_000);

  test('an account without an operator role is turned away', async () => {
    const { context, page } = await newPage();
    try {
      await signIn(page, 'nils');
      await expect
        .poll(() => page.locator('h1').textContent(), WAIT)
        .toBe('No access to the operator pages');
      expect((await context.cookies()).some((c) => c.name === 'cb_ops_session')).toBe(false);
    } finally {
      await context.close();
    }
  }, 240_000);

  test('the operator password still signs in, as a manager, from the sign-in page', async () => {
    // httpCredentials answer the browser's password box as a person would type into it.
    const context = await browser.newContext({
      httpCredentials: { username: 'ops', password: 'correct horse battery staple' },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT.timeout);
    try {
      await page.goto(`${url}/ops`);
      await page.getByRole('link', { name: 'Sign in with the operator user and password' }).click();
      await page.waitForURL(`${url}/ops`, WAIT);
      expect(await page.locator('[data-staff-role]').getAttribute('data-staff-role')).toBe(
        'manager',
      );
      expect(await page.locator('[data-staff-role]').textContent()).toContain('Signed in as ops');
      expect((await context.cookies()).some((c) => c.name === 'cb_ops_session')).toBe(true);
    } finally {
      await context.close();
    }
  }, 240_000);

  test('a callback without its signed flow cookie, or with a forged one, signs nobody in', async () => {
    for (const cookie of [undefined, 'cb_ops_oidc=v1.eyJzdGF0ZSI6IngifQ.AAAA']) {
      const res = await fetch(`${url}/ops/oidc/callback?code=stolen&state=x`, {
        headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) },
        redirect: 'manual',
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('Sign-in expired');
      expect(res.headers.get('set-cookie') ?? '').not.toContain('cb_ops_session=v1');
    }
  });
});
