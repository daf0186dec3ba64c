/** Live-server tests on 127.0.0.1: the Node helpers against real sockets. */
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { schemes } from '../registry.ts';
import { generateSecret, signSync } from '../standard/index.ts';
import { type NodeWebhookRequest, webhookHandler, webhookMiddleware, webhookOf } from './index.ts';

const secret = generateSecret();
const payload = JSON.stringify({ type: 'patient.updated', data: { id: 'pat_1' } });
let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<number> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function send(
  port: number,
  body: string | Buffer,
  headers: Record<string, string>,
  options: { chunked?: boolean } = {},
): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/hook', headers, timeout: 5000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: text }),
        );
      },
    );
    req.on('error', reject);
    if (options.chunked) {
      req.setHeader('Transfer-Encoding', 'chunked');
      for (let i = 0; i < body.length; i += 4) req.write(body.slice(i, i + 4));
      req.end();
    } else {
      req.end(body);
    }
  });
}

describe('webhookHandler (plain Node)', () => {
  test('verifies the raw body, hands over the event, answers 204', async () => {
    const onEvent = vi.fn();
    const port = await listen(webhookHandler({ scheme: 'standard', secret, onEvent }));
    const headers = signSync({ id: 'msg_n1', payload, secret });
    const res = await send(port, payload, headers, { chunked: true });
    expect(res.status).toBe(204);
    expect(onEvent).toHaveBeenCalledOnce();
    const [webhook] = onEvent.mock.calls[0]!;
    expect(webhook).toMatchObject({
      event: JSON.parse(payload),
      eventId: 'msg_n1',
      scheme: 'standard',
    });
    expect(Buffer.from(webhook.rawBody).toString()).toBe(payload);
  });

  test('onEvent may answer itself', async () => {
    const port = await listen(
      webhookHandler({
        scheme: 'standard',
        secret,
        onEvent: (_webhook, _req, res) => {
          res.statusCode = 202;
          res.end('queued');
        },
      }),
    );
    const res = await send(port, payload, signSync({ id: 'msg_n2', payload, secret }));
    expect(res).toMatchObject({ status: 202, body: 'queued' });
  });

  test('rejects with 401 / 400 / 413 problem+json and never calls onEvent', async () => {
    const onEvent = vi.fn();
    const port = await listen(
      webhookHandler({ scheme: 'standard', secret, onEvent, maxBodyBytes: 1000 }),
    );
    const bad = await send(port, payload, signSync({ id: 'm', payload, secret: generateSecret() }));
    expect(bad.status).toBe(401);
    expect(bad.type).toBe('application/problem+json');
    expect(JSON.parse(bad.body)).toMatchObject({ code: 'invalid_signature', status: 401 });
    const missing = await send(port, payload, {});
    expect(JSON.parse(missing.body)).toMatchObject({ code: 'missing_header', status: 400 });
    const big = 'x'.repeat(5000);
    const tooBig = await send(port, big, signSync({ id: 'm', payload: big, secret }));
    expect(tooBig.status).toBe(413);
    const tooBigChunked = await send(port, big, signSync({ id: 'm', payload: big, secret }), {
      chunked: true,
    });
    expect(JSON.parse(tooBigChunked.body)).toMatchObject({ code: 'payload_too_large' });
    expect(onEvent).not.toHaveBeenCalled();
  });

  test('a throwing onEvent gives 500 handler_failed and reaches onError', async () => {
    const onError = vi.fn();
    const port = await listen(
      webhookHandler({
        scheme: 'standard',
        secret,
        onEvent: () => {
          throw new Error('database down');
        },
        onError,
      }),
    );
    const res = await send(port, payload, signSync({ id: 'msg_n3', payload, secret }));
    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'handler_failed' });
    expect(res.body).not.toContain('database down');
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'database down' }),
      expect.anything(),
    );
  });
});

test('webhookOf says what is missing on a request the middleware did not see', () => {
  expect(() => webhookOf({} as NodeWebhookRequest)).toThrow(/webhookMiddleware/);
});

describe('webhookMiddleware (Express-style)', () => {
  function chain(
    before: (req: NodeWebhookRequest) => Promise<void> | void,
    options: Parameters<typeof webhookMiddleware>[0],
  ) {
    const middleware = webhookMiddleware(options);
    return async (req: NodeWebhookRequest, res: ServerResponse) => {
      await before(req);
      middleware(req, res, (error?: unknown) => {
        if (error) {
          res.statusCode = 500;
          res.end(String((error as Error).message));
          return;
        }
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify({ event: req.webhook?.event, eventId: req.webhook?.eventId ?? null }),
        );
      });
    };
  }

  async function rawBodyParser(req: NodeWebhookRequest): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    req.body = Buffer.concat(chunks);
  }

  test('sets req.webhook and calls next; works after a raw body parser', async () => {
    const port = await listen(chain(rawBodyParser, { scheme: 'github', secret: 'g'.repeat(32) }));
    const headers = {
      ...schemes.github.signSync({ payload, secret: 'g'.repeat(32) }),
      'X-GitHub-Delivery': 'del_7',
    };
    const res = await send(port, payload, headers);
    expect(JSON.parse(res.body)).toEqual({ event: JSON.parse(payload), eventId: 'del_7' });
  });

  test('reads the stream itself when nothing parsed the body', async () => {
    const port = await listen(chain(() => undefined, { scheme: 'standard', secret }));
    const res = await send(port, payload, signSync({ id: 'msg_m2', payload, secret }));
    expect(JSON.parse(res.body)).toEqual({ event: JSON.parse(payload), eventId: 'msg_m2' });
  });

  test('takes a text body left by a text parser', async () => {
    const textParser = async (req: NodeWebhookRequest) => {
      await rawBodyParser(req);
      req.body = String(req.body);
    };
    const port = await listen(chain(textParser, { scheme: 'standard', secret }));
    const res = await send(port, payload, signSync({ id: 'msg_m5', payload, secret }));
    expect(JSON.parse(res.body)).toEqual({ event: JSON.parse(payload), eventId: 'msg_m5' });
  });

  test('after a JSON body parser, answers 400 invalid_payload telling where to mount it', async () => {
    const jsonParser = async (req: NodeWebhookRequest) => {
      await rawBodyParser(req);
      req.body = JSON.parse(String(req.body));
      (req as { _body?: boolean })._body = true;
    };
    const port = await listen(chain(jsonParser, { scheme: 'standard', secret }));
    const res = await send(port, payload, signSync({ id: 'msg_m3', payload, secret }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      code: 'invalid_payload',
      detail: expect.stringMatching(/express\.json/),
    });
  });

  test('a body something else consumed without leaving it in req.body is 400 invalid_payload', async () => {
    const drain = async (req: NodeWebhookRequest) => {
      for await (const _chunk of req) {
        // a middleware that reads the stream and keeps nothing
      }
    };
    const port = await listen(chain(drain, { scheme: 'standard', secret }));
    const res = await send(port, payload, signSync({ id: 'msg_m6', payload, secret }));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'invalid_payload' });
  });

  test('non-verification errors go to next(error)', async () => {
    const port = await listen(
      chain(() => undefined, {
        scheme: 'standard',
        secret: async () => {
          throw new Error('secret store offline');
        },
      }),
    );
    const res = await send(port, payload, signSync({ id: 'msg_m4', payload, secret }));
    expect(res).toMatchObject({ status: 500, body: 'secret store offline' });
  });
});
