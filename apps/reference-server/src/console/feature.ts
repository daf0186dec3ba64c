/**
 * The operator pages at `/ops`: what failed and a button to act on it — open
 * alerts (resolve), inbound webhooks needing attention (retry), dead letters
 * (replay), disabled endpoints, manual tasks from the adapters (mark done), and the HL7
 * feed's failed messages (retry) and refusals (open the bytes). Server-rendered HTML behind HTTP Basic
 * (`OPS_USER` / `OPS_PASSWORD` or `OPS_PASSWORD_FILE`), with form posts
 * checked for a same-origin `Origin` (CSRF, see same-origin.ts). Mounted as a {@link Feature}.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { type Feature, readSection } from '../feature.ts';
import { listFailedHl7Messages, retryHl7Message } from '../hl7/console.ts';
import { getReject, listRejects } from '../hl7/rejects.ts';
import type { AppEnv } from '../http/context.ts';
import { renderImportJobsSection } from '../imports/ops-section.ts';
import {
  listInboundWebhooks,
  listOpenAlerts,
  resolveAlert,
  retryInboundWebhook,
} from '../inbound/console.ts';
import { ApiError, problemResponse } from '../kernel/problem.ts';
import { completeManualTask, listOpenManualTasks } from '../manual-tasks/store.ts';
import {
  listRecentOperatorActions,
  operatorActionMigrations,
  recordOperatorAction,
} from './audit.ts';
import { type OperatorConfig, operatorConfig } from './config.ts';
import { renderHl7RejectPage, renderOpsErrorPage, renderOpsPage } from './pages.ts';
import {
  clip,
  listAllDeadLetters,
  listDisabledEndpoints,
  replayDeadLetterAsOperator,
  tenantNames,
} from './queries.ts';
import { originPolicy, sameOrigin } from './same-origin.ts';

/** Fixed notices, chosen by a key in the query string so nothing from the URL is echoed. */
const NOTICES = {
  resolved: { text: 'Alert resolved.', error: false },
  retried: { text: 'Inbound webhook queued for processing again.', error: false },
  replayed: {
    text: 'Dead letter replayed: it is delivered again from the start of the schedule.',
    error: false,
  },
  done: { text: 'Manual task marked done.', error: false },
  hl7retried: { text: 'HL7 message queued to be applied again.', error: false },
  unchanged: {
    text: 'Nothing changed: the item was not in a state that allows it (already handled?).',
    error: false,
  },
  endpoint_disabled: {
    text: 'Not replayed: the webhook endpoint of this dead letter is disabled, so nothing would be sent. It stays in the dead-letter queue. Ask the clinic to enable the endpoint again (PATCH /api/v1/webhook-endpoints/{id} with "enabled": true), then press Replay.',
    error: true,
  },
} as const;

type NoticeKey = keyof typeof NOTICES;

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * The user and password of an HTTP Basic header, or null.
 *
 * @example
 * basicCredentials(c.req.header('authorization'))?.user; // 'ops'
 */
export function basicCredentials(
  header: string | undefined,
): { user: string; password: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * HTTP Basic for the operator pages (also those other features mount under `/ops`).
 *
 * @example
 * app.use('/ops/claims/*', requireOperator(config), sameOrigin(originPolicy(context.config)));
 */
export function requireOperator(config: OperatorConfig): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('routeTemplate', '/ops');
    if (!config.OPS_PASSWORD) {
      return problemResponse(
        c,
        new ApiError(
          'service_unavailable',
          'The operator pages are closed: set OPS_PASSWORD or OPS_PASSWORD_FILE to open them.',
        ),
      );
    }
    const given = basicCredentials(c.req.header('authorization'));
    // Hash both sides so the comparison takes the same time whatever the lengths.
    const ok =
      given !== null &&
      timingSafeEqual(digest(given.user), digest(config.OPS_USER)) &&
      timingSafeEqual(digest(given.password), digest(config.OPS_PASSWORD));
    if (!ok) {
      const challenge = 'Basic realm="ClinicBridge operations", charset="UTF-8"';
      // A person who cancelled the browser's sign-in box reads this: a page, not JSON.
      if (c.req.header('accept')?.includes('text/html')) {
        c.header('WWW-Authenticate', challenge);
        c.header('Cache-Control', 'no-store');
        return c.html(
          renderOpsErrorPage(
            'Sign in required',
            'These pages need the operator user and password (OPS_USER / OPS_PASSWORD on the server). Reload the page to be asked again.',
          ),
          401,
        );
      }
      const res = problemResponse(
        c,
        new ApiError('unauthenticated', 'Sign in with the operator user and password.'),
      );
      res.headers.set('WWW-Authenticate', challenge);
      return res;
    }
    await next();
  };
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
}

function back(c: Context<AppEnv>, notice: NoticeKey) {
  return c.redirect(`/ops?notice=${notice}`, 303);
}

function operatorOf(c: Context<AppEnv>): string {
  return basicCredentials(c.req.header('authorization'))?.user ?? 'operator';
}

/**
 * The operator console feature (`/ops`).
 *
 * @example
 * const features: Feature[] = [...resourceFeatures, consoleFeature()];
 */
export function consoleFeature(options: ConsoleFeatureOptions = {}): Feature {
  return {
    name: 'console',
    config: operatorConfig,
    tables: ['operator_actions'],
    appendOnlyTables: ['operator_actions'],
    migrations: operatorActionMigrations,
    routes(app: Hono<AppEnv>, context) {
      const { db, now } = context;
      const config = options.config ?? readSection(context.config, operatorConfig);
      const wake = options.wake ?? context.wake;
      /** Records the action in the operator trail, then goes back to the page with its notice. */
      const audited = async (
        c: Context<AppEnv>,
        action: string,
        outcome: NoticeKey,
        tenantId: string | null = null,
      ) => {
        await recordOperatorAction(db, {
          operator: operatorOf(c),
          action,
          entityId: c.req.param('id') ?? '',
          tenantId,
          outcome,
          requestId: c.get('requestId') ?? null,
          now: now(),
        });
        return back(c, outcome);
      };
      app.use('/ops', requireOperator(config));
      app.use('/ops/*', requireOperator(config), sameOrigin(originPolicy(context.config)));
      app.get('/ops', async (c) => {
        const [
          alerts,
          inbound,
          deadLetters,
          disabledEndpoints,
          manualTasks,
          hl7Failed,
          hl7Rejects,
          recentActions,
        ] = await Promise.all([
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
          ...disabledEndpoints.map((e) => e.tenantId),
          ...hl7Failed.map((m) => m.tenantId),
          ...recentActions.map((a) => a.tenantId),
        ]);
        const key = c.req.query('notice');
        c.header('Cache-Control', 'no-store');
        return c.html(
          renderOpsPage({
            alerts: alerts.map((a) => ({ ...a, message: clip(a.message) ?? '' })),
            inbound: inbound.map((w) => ({ ...w, reason: clip(w.reason) })),
            deadLetters,
            disabledEndpoints,
            manualTasks: manualTasks.map((m) => ({ ...m, reason: clip(m.reason) ?? '' })),
            hl7Failed: hl7Failed.map((m) => ({ ...m, reason: clip(m.reason) })),
            hl7Rejects: hl7Rejects.map((r) => ({ ...r, reason: clip(r.reason) ?? '' })),
            recentActions,
            tenantNames: names,
            notice: key && Object.hasOwn(NOTICES, key) ? NOTICES[key as NoticeKey] : null,
            now: now(),
            sections: [await renderImportJobsSection(db, now())],
          }),
        );
      });
      app.post('/ops/alerts/:id/resolve', async (c) =>
        audited(
          c,
          'alert.resolve',
          (await resolveAlert(db, c.req.param('id'), now(), {
            type: 'operator',
            id: operatorOf(c),
          }))
            ? 'resolved'
            : 'unchanged',
        ),
      );
      app.post('/ops/inbound/:id/retry', async (c) => {
        const done = await retryInboundWebhook(db, c.req.param('id'), now());
        if (done) wake();
        return audited(c, 'inbound_webhook.retry', done ? 'retried' : 'unchanged');
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
      app.get('/ops/hl7/rejects/:id', async (c) => {
        const reject = await getReject(db, c.req.param('id'));
        c.header('Cache-Control', 'no-store');
        if (!reject) {
          return c.html(
            renderOpsErrorPage(
              'No such HL7 refusal',
              'It may have been cleaned up. Go back to the list.',
            ),
            404,
          );
        }
        // The bytes may hold patient data: who opened them is on the record.
        await recordOperatorAction(db, {
          operator: operatorOf(c),
          action: 'hl7_reject.view',
          entityId: reject.id,
          tenantId: null,
          outcome: 'viewed',
          requestId: c.get('requestId') ?? null,
          now: now(),
        });
        return c.html(renderHl7RejectPage(reject, now()));
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
