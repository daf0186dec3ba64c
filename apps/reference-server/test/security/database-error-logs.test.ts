/**
 * Security suite, finding 9 of issue #10: database errors were logged with
 * the statement's parameters (PGlite attaches `params`; PostgreSQL's
 * `detail` and data-exception messages quote values), so any caller able to
 * make a write fail put names, email, phone and birth date in the log. Here
 * database errors are raised with PII values, directly and through the app
 * (a fuzz of hostile patient writes plus a route whose statement fails),
 * and the captured log output is searched for every PII value.
 */
import { Writable } from 'node:stream';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Feature } from '../../src/feature.ts';
import type { AppEnv } from '../../src/http/context.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { call, startTestApp, type TestApp } from '../helpers/app.ts';
import { patientBody } from '../helpers/fixtures.ts';

const PII = {
  givenName: 'Zeynepnur',
  familyName: 'Karaoglanoglu',
  email: 'zeynep.karaoglanoglu.9931@example.org',
  phone: '+905559931177',
  birthDate: '1983-07-14',
};
const PII_VALUES = Object.values(PII);

/** Every log line written, as text. */
class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
}

const capture = new LogCapture();
const logger = createLogger('debug', capture);

// Stands in for any code path that lets hostile input reach a failing statement.
const faultFeature: Feature = {
  name: 'security-fault',
  routes: (app: Hono<AppEnv>, context) => {
    app.post('/test/fault', async (c) => {
      await sql`select ${PII.email}::int, ${PII.givenName}, ${PII.phone}, ${PII.birthDate}`.execute(
        context.db,
      );
      return c.body(null, 204);
    });
  },
};

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1, deps: { logger, features: [faultFeature] } });
  token = t.tenants[0]?.apiKey ?? '';
});
afterAll(() => t.close());

/** Statements that fail with PII in their parameters, each in its own way. */
async function failingStatements(): Promise<unknown[]> {
  const db = t.database.db;
  const attempts: (() => Promise<unknown>)[] = [
    // 22P02: the message quotes the value.
    () => sql`select ${PII.email}::int`.execute(db),
    // 22008 / 22007: a birth date the database refuses.
    () => sql`select ${`${PII.birthDate.slice(0, 5)}13-45`}::date, ${PII.familyName}`.execute(db),
    // 22021: a NUL byte in text.
    () => sql`select ${`${PII.givenName}\u0000`}::text, ${PII.phone}`.execute(db),
    // 22012: the values are only in the parameters.
    () =>
      sql`select 1 / 0 where ${PII.email} = ${PII.email} and ${PII.birthDate} <> ''`.execute(db),
    // 23505: the detail repeats the key value.
    () =>
      db.transaction().execute(async (trx) => {
        await sql`create temp table pii_probe (email text primary key) on commit drop`.execute(trx);
        await sql`insert into pii_probe values (${PII.email})`.execute(trx);
        await sql`insert into pii_probe values (${PII.email})`.execute(trx);
      }),
  ];
  const errors: unknown[] = [];
  for (const attempt of attempts) {
    try {
      await attempt();
      errors.push(new Error('the statement was expected to fail'));
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}

function logLinesWithPii(): string[] {
  return capture.lines.filter((line) => {
    const lower = line.toLowerCase();
    return PII_VALUES.some((value) => lower.includes(value.toLowerCase()));
  });
}

describe('security: database errors never log statement parameters', () => {
  test('finding 9: database errors carrying PII are logged without it, but with what identifies them', async () => {
    const errors = await failingStatements();
    for (const err of errors) logger.error({ err }, 'statement failed');
    const logged = capture.lines
      .map((line) => JSON.parse(line) as { msg?: string; err?: { code?: string } })
      .filter((entry) => entry.msg === 'statement failed');
    expect(logged.map((entry) => entry.err?.code)).toEqual([
      '22P02',
      expect.stringMatching(/^2200[78]$/),
      '22021',
      '22012',
      '23505',
    ]);
    expect(logLinesWithPii()).toEqual([]);
  });

  test('finding 9: a fuzz of hostile patient writes and a failing route leave no PII in the log', async () => {
    const hostile: Record<string, unknown>[] = [
      patientBody({ ...PII, givenName: `${PII.givenName}\u0000` }),
      patientBody({ ...PII, birthDate: '0000-01-01' }),
      patientBody({ ...PII, birthDate: `${PII.birthDate.slice(0, 5)}02-30` }),
      patientBody({ ...PII, externalRef: `\u0000${PII.email}` }),
      patientBody({ ...PII, email: `${PII.email}\u0000` }),
      { ...PII, unexpected: PII.email },
    ];
    for (const body of hostile) {
      const res = await call(t.app, 'POST', '/api/v1/patients', { token, body });
      expect(res.status).toBeLessThan(500);
      await res.arrayBuffer();
    }
    const fault = await t.app.request('/test/fault', { method: 'POST' });
    expect(fault.status).toBe(500);
    const unhandled = capture.lines.filter((line) => line.includes('unhandled error'));
    expect(unhandled.length).toBeGreaterThan(0);
    expect(unhandled.join('\n')).toContain('22P02');
    expect(logLinesWithPii()).toEqual([]);
  });
});
