/**
 * The operator console at `/ops`: server-rendered pages behind staff
 * sign-in (OIDC, or HTTP Basic with `OPS_USER` / `OPS_PASSWORD` or the
 * staff directory; see identity/), where only a manager may act — the
 * overview of what failed (alerts, inbound webhooks, dead letters, HL7),
 * each webhook endpoint's deliveries and attempts, manual tasks with
 * assignment, provider circuit breakers and the tenants' integration
 * tokens — with live updates over server-sent events (`/ops/events`, read
 * by `/ops/live.js`). Every action is a plain form POST, checked for a
 * same-origin `Origin` (CSRF, see same-origin.ts), recorded in the
 * operator trail (audit.ts) with who did it, and answered with a redirect
 * to a page showing a notice. Mounted as a {@link Feature}.
 */
import { readFileSync } from 'node:fs';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { type Feature, readSection } from '../feature.ts';
import { listFailedHl7Messages, retryHl7Message } from '../hl7/console.ts';
import { getReject, listRejects } from '../hl7/rejects.ts';
import { withAnswerHeaders } from '../http/answer-headers.ts';
import type { AppEnv } from '../http/context.ts';
import { sendPage } from '../http/page.ts';
import { renderImportJobsSection } from '../imports/ops-section.ts';
import {
  listInboundWebhooks,
  listOpenAlerts,
  resolveAlert,
  retryInboundWebhook,
} from '../inbound/console.ts';
import { ApiError, problemResponse } from '../kernel/problem.ts';
import {
  assignManualTask,
  completeManualTask,
  listOpenManualTasks,
} from '../manual-tasks/store.ts';
import {
  listRecentOperatorActions,
  operatorActionMigrations,
  recordOperatorAction,
} from './audit.ts';
import { databaseFingerprint } from './changes.ts';
import { type OperatorConfig, operatorConfig } from './config.ts';
import { endpointDeliveries, listEndpoints } from './endpoints.ts';
import { requireStaff } from './identity/gate.ts';
import { closeStaffDirectories, staffIdentity } from './identity/identity.ts';
import { mountSignIn } from './identity/routes.ts';
import type { Staff } from './identity/staff.ts';
import { DEFAULT_LIVE, LiveHub, type LiveOptions } from './live.ts';
import { backTo, type NoticeKey, noticeOf } from './notices.ts';
import { renderEndpointPage, renderEndpointsPage } from './pages/endpoint.ts';
import { renderHl7RejectPage } from './pages/hl7.ts';
import { renderOpsErrorPage } from './pages/layout.ts';
import { renderOpsPage } from './pages/overview.ts';
import { renderProvidersPage } from './pages/providers.ts';
import { renderTasksPage } from './pages/tasks.ts';
import { breakerFingerprint, providerHealth } from './providers.ts';
import {
  clip,
  listAllDeadLetters,
  listDisabledEndpoints,
  replayDeadLetterAsOperator,
  tenantNames,
} from './queries.ts';
import { originPolicy, sameOrigin } from './same-origin.ts';
import { mountTokenRoutes } from './tokens-routes.ts';

export { basicCredentials } from './identity/identity.ts';

/**
 * The gate of the operator pages (also those other features mount under
 * `/ops`): signs the staff member in (session cookie, OIDC, HTTP Basic or
 * the staff directory), sets `c.get('staff')`, and lets any method but GET
 * and HEAD through for a manager only (see identity/gate.ts).
 *
 * @example
 * app.use('/ops/claims/*', requireOperator(config), sameOrigin(originPolicy(context.config)));
 */
export function requireOperator(
  config: OperatorConfig,
  now: () => Date = () => new Date(),
): MiddlewareHandler<AppEnv> {
  return requireStaff(staffIdentity(config), now);
}

/**
 * Options of {@link consoleFeature}; by default the `OPS_*` section of the
 * server's configuration and the scheduler's wake-up.
 *
 * @example
 * const options: ConsoleFeatureOptions = { config: operatorConfig.parse({ OPS_PASSWORD: 'a long password' }) };
 */
export interface ConsoleFeatureOptions {
  readonly config?: OperatorConfig;
  /** Wakes the dispatcher after a replay or retry, so it does not wait for its next poll. */
  readonly wake?: () => void;
  /** Live-update feed settings (default {@link DEFAULT_LIVE}). */
  readonly live?: Partial<LiveOptions>;
}

/** The signed-in staff member (the gate has set it on every `/ops` route). */
function staffOf(c: Context<AppEnv>): Staff {
  return c.get('staff');
}

function operatorOf(c: Context<AppEnv>): string {
  return staffOf(c).subject;
}

/** The pages load their script and style from this server only; no inline script runs. */
const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const LIVE_JS = readFileSync(new URL('./static/live.js', import.meta.url), 'utf8');

/**
 * Headers of every console answer: never cached, and the CSP above. They go
 * in before the handler, so an answer it builds through the context is not
 * copied to add them (../http/answer-headers.ts). The CSP goes on every
 * answer, not only HTML: a browser applies it to documents only, so the
 * script, the live stream and the redirects carry it without effect, and an
 * answer opened as a page of its own is held to it too.
 */
const pageHeaders: MiddlewareHandler<AppEnv> = (c, next) =>
  withAnswerHeaders(
    c,
    next,
    () => {
      c.header('Cache-Control', 'no-store');
      c.header('Content-Security-Policy', CONSOLE_CSP);
    },
    (answer) =>
      answer.headers.get('cache-control') === 'no-store' &&
      answer.headers.get('content-security-policy') === CONSOLE_CSP,
  );

/**
 * The operator console feature (`/ops`).
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, consoleFeature()];
 */
export function consoleFeature(options: ConsoleFeatureOptions = {}): Feature {
  const hubs = new Set<LiveHub>();
  return {
    name: 'console',
    config: operatorConfig,
    tables: ['operator_actions'],
    appendOnlyTables: ['operator_actions'],
    migrations: operatorActionMigrations,
    stop: closeStaffDirectories,
    // One gate in front of every /ops route, whichever feature adds it.
    guards(app: Hono<AppEnv>, context) {
      const config = options.config ?? readSection(context.config, operatorConfig);
      const gate = requireStaff(staffIdentity(config), context.now);
      app.use('/ops', gate);
      app.use('/ops/*', gate, sameOrigin(originPolicy(context.config)));
    },
    // Event streams never end by themselves: end them before the server waits for its requests.
    drain: () => {
      for (const hub of hubs) hub.close();
    },
    routes(app: Hono<AppEnv>, context) {
      const { db, now, logger } = context;
      const config = options.config ?? readSection(context.config, operatorConfig);
      const wake = options.wake ?? context.wake;
      const registry = context.metrics.registry;
      const hub = new LiveHub(
        async () => ({
          ...(await databaseFingerprint(db)),
          providers: await breakerFingerprint(registry),
        }),
        { ...DEFAULT_LIVE, ...options.live },
        (err) => logger.warn({ err }, 'ops live-update poll failed'),
      );
      hubs.add(hub);
      const page = (c: Context<AppEnv>) => ({
        notice: noticeOf(c.req.query('notice')),
        now: now(),
        staff: staffOf(c),
      });

      /** Records the action in the operator trail, then goes back to the page with its notice. */
      const audited = async (
        c: Context<AppEnv>,
        action: string,
        outcome: NoticeKey,
        tenantId: string | null = null,
      ) => {
        await recordOperatorAction(db, {
          operator: staffOf(c),
          action,
          entityId: c.req.param('id') ?? '',
          tenantId,
          outcome,
          requestId: c.get('requestId') ?? null,
          now: now(),
        });
        const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
        return c.redirect(backTo(form.back, outcome), 303);
      };
      // The guards above have signed the staff member in; these headers go on every page.
      app.use('/ops', pageHeaders);
      app.use('/ops/*', pageHeaders);
      const identity = staffIdentity(config);
      const policy = originPolicy(context.config);
      mountSignIn(app, {
        identity,
        policy,
        now,
        audit: (c, staff, action) =>
          recordOperatorAction(db, {
            operator: staff,
            action,
            entityId: staff.subject,
            tenantId: null,
            outcome: staff.via,
            requestId: c.get('requestId') ?? null,
            now: now(),
          }),
      });
      mountTokenRoutes(app, { db, now });

      // Pages.
      app.get('/ops', async (c) => {
        const [alerts, inbound, deadLetters, disabled, tasks, hl7Failed, hl7Rejects, recent] =
          await Promise.all([
            listOpenAlerts(db),
            listInboundWebhooks(db),
            listAllDeadLetters(db),
            listDisabledEndpoints(db),
            listOpenManualTasks(db),
            listFailedHl7Messages(db),
            listRejects(db),
            listRecentOperatorActions(db),
          ]);
        const names = await tenantNames(db, [
          ...alerts.map((a) => a.tenantId),
          ...deadLetters.map((d) => d.tenantId),
          ...disabled.map((e) => e.tenantId),
          ...hl7Failed.map((m) => m.tenantId),
          ...recent.map((a) => a.tenantId),
        ]);
        return sendPage(
          c,
          renderOpsPage({
            alerts: alerts.map((a) => ({ ...a, message: clip(a.message) ?? '' })),
            inbound: inbound.map((w) => ({ ...w, reason: clip(w.reason) })),
            deadLetters,
            disabledEndpoints: disabled,
            openTasks: tasks.length,
            hl7Failed: hl7Failed.map((m) => ({ ...m, reason: clip(m.reason) })),
            hl7Rejects: hl7Rejects.map((r) => ({ ...r, reason: clip(r.reason) ?? '' })),
            recentActions: recent,
            tenantNames: names,
            ...page(c),
            sections: [await renderImportJobsSection(db, now())],
          }),
        );
      });
      app.get('/ops/endpoints', async (c) => {
        const endpoints = await listEndpoints(db);
        const names = await tenantNames(
          db,
          endpoints.map((e) => e.tenantId),
        );
        return sendPage(c, renderEndpointsPage({ endpoints, tenantNames: names, ...page(c) }));
      });
      app.get('/ops/endpoints/:id', async (c) => {
        const found = await endpointDeliveries(db, c.req.param('id'));
        if (!found) {
          return sendPage(
            c,
            renderOpsErrorPage(
              'No such webhook endpoint',
              'It may have been deleted. Go back to the list.',
            ),
            404,
          );
        }
        const names = await tenantNames(db, [found.endpoint.tenantId]);
        return sendPage(c, renderEndpointPage({ ...found, tenantNames: names, ...page(c) }));
      });
      app.get('/ops/tasks', async (c) => {
        const tasks = (await listOpenManualTasks(db)).map((m) => ({
          ...m,
          reason: clip(m.reason) ?? '',
        }));
        return sendPage(c, renderTasksPage({ tasks, operator: operatorOf(c), ...page(c) }));
      });
      app.get('/ops/providers', async (c) =>
        sendPage(
          c,
          renderProvidersPage({
            providers: await providerHealth(registry),
            absent: context.providers.absent,
            notice: noticeOf(c.req.query('notice')),
            staff: staffOf(c),
          }),
        ),
      );
      app.get('/ops/hl7/rejects/:id', async (c) => {
        const reject = await getReject(db, c.req.param('id'));
        if (!reject) {
          return sendPage(
            c,
            renderOpsErrorPage(
              'No such HL7 refusal',
              'It may have been cleaned up. Go back to the list.',
            ),
            404,
          );
        }
        // The bytes may hold patient data: who opened them is on the record.
        await recordOperatorAction(db, {
          operator: staffOf(c),
          action: 'hl7_reject.view',
          entityId: reject.id,
          tenantId: null,
          outcome: 'viewed',
          requestId: c.get('requestId') ?? null,
          now: now(),
        });
        return sendPage(c, renderHl7RejectPage(reject, now()));
      });

      // Live updates: the script the pages load, and the event stream it reads.
      app.get('/ops/live.js', (c) => {
        c.header('Content-Type', 'text/javascript; charset=utf-8');
        return c.body(LIVE_JS);
      });
      app.get('/ops/events', (c) => {
        const stream = hub.open(c.req.raw.signal);
        if (!stream) {
          const res = problemResponse(
            c,
            new ApiError(
              'service_unavailable',
              'Too many operator pages are listening for live updates; close some, then reload.',
            ),
          );
          res.headers.set('Retry-After', '30');
          return res;
        }
        return new Response(stream, {
          headers: {
            'Content-Type': 'text/event-stream; charset=utf-8',
            'Cache-Control': 'no-store',
            // nginx would otherwise hold the events in its buffer.
            'X-Accel-Buffering': 'no',
          },
        });
      });

      // Actions: each a form POST, audited, answered with a redirect and a notice.
      app.post('/ops/alerts/:id/resolve', async (c) => {
        const actor = { type: 'operator' as const, id: operatorOf(c) };
        const done = await resolveAlert(db, c.req.param('id'), now(), actor);
        return audited(c, 'alert.resolve', done ? 'resolved' : 'unchanged');
      });
      app.post('/ops/inbound/:id/retry', async (c) => {
        const done = await retryInboundWebhook(db, c.req.param('id'), now());
        if (done) wake();
        return audited(c, 'inbound_webhook.retry', done ? 'retried' : 'unchanged');
      });
      app.post('/ops/manual-tasks/:id/assign', async (c) => {
        const done = await assignManualTask(db, c.req.param('id'), operatorOf(c), now());
        return audited(c, 'manual_task.assign', done ? 'assigned' : 'unchanged');
      });
      app.post('/ops/manual-tasks/:id/unassign', async (c) => {
        const done = await assignManualTask(db, c.req.param('id'), null, now());
        return audited(c, 'manual_task.unassign', done ? 'unassigned' : 'unchanged');
      });
      app.post('/ops/manual-tasks/:id/done', async (c) => {
        const done = await completeManualTask(db, c.req.param('id'), operatorOf(c), now());
        return audited(c, 'manual_task.done', done ? 'done' : 'unchanged');
      });
      app.post('/ops/hl7/messages/:id/retry', async (c) => {
        const done = await retryHl7Message(db, c.req.param('id'));
        if (done) wake();
        return audited(c, 'hl7_message.retry', done ? 'hl7retried' : 'unchanged');
      });
      app.post('/ops/dead-letters/:id/replay', async (c) => {
        const { outcome, tenantId } = await replayDeadLetterAsOperator(
          db,
          c.req.param('id'),
          operatorOf(c),
          now(),
          c.get('requestId') ?? null,
        );
        if (outcome === 'replayed') wake();
        return audited(c, 'dead_letter.replay', outcome, tenantId);
      });
    },
  };
}
