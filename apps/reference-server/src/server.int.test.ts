/**
 * The server over real sockets: it serves, and on shutdown stops accepting
 * new connections while a request already in flight still gets its answer.
 */
import { request } from 'node:http';
import { afterAll, describe, expect, test } from 'vitest';
import { openTestDatabase } from '../test/helpers/database.ts';
import { loadConfig } from './config/index.ts';
import type { Feature } from './feature.ts';
import { createLogger } from './observability/logger.ts';
import { type RunningServer, startServer } from './server.ts';

let server: RunningServer | undefined;
afterAll(() => server?.close());

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server', () => {
  test('graceful shutdown finishes in-flight requests and refuses new ones', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let arrived!: () => void;
    const inside = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const slow: Feature = {
      name: 'slow',
      routes: (app) => {
        app.get('/slow', async (c) => {
          arrived();
          await gate;
          return c.text('done');
        });
      },
    };
    const config = { ...loadConfig({ HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), PORT: 0 };
    server = await startServer({
      config,
      database: await openTestDatabase(),
      logger: createLogger('silent'),
      features: [slow],
    });
    const { url } = server;
    expect((await get(`${url}/healthz`)).status).toBe(200);

    const inFlight = get(`${url}/slow`);
    await inside;
    const closed = server.close();
    await expect(get(`${url}/healthz`)).rejects.toThrow();
    release();
    expect(await inFlight).toEqual({ status: 200, body: 'done' });
    await closed;
    server = undefined;
  });
});
