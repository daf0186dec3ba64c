/**
 * Routes of the operator's integration-tokens page (`/ops/tokens`): list a
 * tenant's tokens, create one (the key is in the answer to the form only),
 * revoke one. The console's gate lets only a manager post; the token
 * services do the work and write the tenant's audit log, and each action
 * is on the operator trail too.
 */
import { needsApproval, type Scope, scope } from '@clinicbridge/sdk/contract';
import type { Context, Hono } from 'hono';
import type { Kysely } from 'kysely';
import * as z from 'zod';
import type { DB } from '../db/schema.ts';
import type { AppEnv } from '../http/context.ts';
import { sendPage } from '../http/page.ts';
import type { ChangeContext } from '../kernel/change.ts';
import { isApiError } from '../kernel/problem.ts';
import {
  createIntegrationToken,
  listIntegrationTokens,
  revokeIntegrationToken,
} from '../tokens/service.ts';
import { recordOperatorAction } from './audit.ts';
import { listTenantsByName } from './queries.ts';
import { renderTokensPage, type TokensView } from './tokens-page.ts';

const tenantId = z.string().regex(/^ten_[0-9A-Za-z]{1,64}$/);
const createForm = z.object({
  tenant: tenantId,
  name: z.string().trim().min(1).max(100),
  scope: z.array(scope).min(1).max(50),
  reason: z.string().trim().max(500).default(''),
});

const NOTICES = {
  revoked: { text: 'Token revoked: it is refused from now on.', error: false },
  unchanged: { text: 'Nothing changed: no such token in this tenant.', error: false },
} as const;

/**
 * What the tokens routes need.
 *
 * @example
 * mountTokenRoutes(app, { db, now });
 */
export interface TokenRoutesDeps {
  db: Kysely<DB>;
  now: () => Date;
}

/**
 * Mounts `/ops/tokens` (behind the console's gate).
 *
 * @example
 * mountTokenRoutes(app, { db: context.db, now: context.now });
 */
export function mountTokenRoutes(app: Hono<AppEnv>, deps: TokenRoutesDeps): void {
  const { db, now } = deps;
  const changeOf = (c: Context<AppEnv>, tenant: string): ChangeContext => ({
    tenantId: tenant,
    actor: { type: 'operator', id: c.get('staff').subject },
    requestId: c.get('requestId') ?? null,
    now: now(),
  });
  const show = async (
    c: Context<AppEnv>,
    wanted: string | undefined,
    extra: Pick<TokensView, 'created' | 'notice'>,
    status: 200 | 400 = 200,
  ) => {
    const tenants = await listTenantsByName(db);
    const tenant = tenants.find((t) => t.id === wanted) ?? null;
    const tokens = tenant ? (await listIntegrationTokens(db, tenant.id, { limit: 100 })).data : [];
    c.header('Cache-Control', 'no-store');
    return sendPage(
      c,
      renderTokensPage({ staff: c.get('staff'), tenants, tenant, tokens, now: now(), ...extra }),
      status,
    );
  };
  const audit = (
    c: Context<AppEnv>,
    action: string,
    entityId: string,
    tenant: string,
    outcome: string,
  ) =>
    recordOperatorAction(db, {
      operator: c.get('staff'),
      action,
      entityId,
      tenantId: tenant,
      outcome,
      requestId: c.get('requestId') ?? null,
      now: now(),
    });

  app.get('/ops/tokens', (c) => {
    const key = c.req.query('notice');
    return show(c, c.req.query('tenant'), {
      created: null,
      notice: key && Object.hasOwn(NOTICES, key) ? NOTICES[key as keyof typeof NOTICES] : null,
    });
  });

  app.post('/ops/tokens/create', async (c) => {
    const body = await c.req.parseBody({ all: true });
    const form = createForm.safeParse({
      ...body,
      scope: body.scope === undefined ? [] : [body.scope].flat(),
    });
    const wanted = typeof body.tenant === 'string' ? body.tenant : undefined;
    if (!form.success) {
      return show(
        c,
        wanted,
        {
          created: null,
          notice: {
            text: 'Not created: give the token a name and at least one scope.',
            error: true,
          },
        },
        400,
      );
    }
    const { tenant, name, reason } = form.data;
    const chosen = form.data.scope as Scope[];
    if (needsApproval(chosen) && reason.length === 0) {
      return show(
        c,
        tenant,
        {
          created: null,
          notice: { text: 'Not created: a token with a write: scope needs a reason.', error: true },
        },
        400,
      );
    }
    const staff = c.get('staff');
    try {
      const created = await db.transaction().execute((trx) =>
        createIntegrationToken(trx, changeOf(c, tenant), {
          name,
          scopes: chosen,
          ...(needsApproval(chosen)
            ? { approval: { approver: staff.name.slice(0, 100), reason } }
            : {}),
        }),
      );
      await audit(c, 'integration_token.create', created.id, tenant, 'created');
      return show(c, tenant, { created: { name, apiKey: created.apiKey }, notice: null });
    } catch (error) {
      if (!isApiError(error)) throw error;
      return show(c, tenant, { created: null, notice: { text: error.message, error: true } }, 400);
    }
  });

  app.post('/ops/tokens/:id/revoke', async (c) => {
    const body = await c.req.parseBody();
    const tenant = tenantId.safeParse(body.tenant);
    const id = c.req.param('id');
    if (!tenant.success) return c.redirect('/ops/tokens?notice=unchanged', 303);
    let outcome: keyof typeof NOTICES = 'revoked';
    try {
      await db
        .transaction()
        .execute((trx) => revokeIntegrationToken(trx, changeOf(c, tenant.data), id));
    } catch (error) {
      if (!isApiError(error)) throw error;
      outcome = 'unchanged';
    }
    await audit(c, 'integration_token.revoke', id, tenant.data, outcome);
    return c.redirect(
      `/ops/tokens?tenant=${encodeURIComponent(tenant.data)}&notice=${outcome}`,
      303,
    );
  });
}
