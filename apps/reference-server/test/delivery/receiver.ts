/**
 * A webhook receiver on 127.0.0.1 for delivery tests: records every
 * request, verifies each with the `standardwebhooks` package (the reference
 * implementation a partner would use), and answers as the test's
 * `respond` function says (a status, a delay, or no answer at all).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * One request the receiver got.
 *
 * @example
 * expect(receiver.received.every((r: ReceivedWebhook) => r.verified)).toBe(true);
 */
export interface ReceivedWebhook {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether `standardwebhooks` verified it with the secret of its path. */
  verified: boolean;
  receivedAt: number;
}

/**
 * What to answer: a status (with optional delay), or `'hang'` for no answer.
 *
 * @example
 * receiver.respond = (): Reply => ({ status: 503, delayMs: 100 });
 */
export type Reply = number | { status: number; delayMs?: number; body?: string } | 'hang';

/**
 * A running receiver.
 *
 * @example
 * const receiver: Receiver = await startReceiver(); await receiver.close();
 */
export interface Receiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Secret used to verify requests to `path` (`/` by default). */
  secrets: Map<string, string[]>;
  respond: (request: ReceivedWebhook) => Reply;
  close(): Promise<void>;
}

function verifyWithAny(secrets: string[], body: string, headers: IncomingHttpHeaders): boolean {
  const plain: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (typeof value === 'string') plain[name] = value;
  return secrets.some((secret) => {
    try {
      new Webhook(secret).verify(body, plain);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Starts a receiver on an ephemeral port.
 *
 * @example
 * const receiver = await startReceiver();
 * receiver.respond = () => 200;
 */
export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    secrets: new Map(),
    respond: () => 200,
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const secrets = receiver.secrets.get(path) ?? receiver.secrets.get('/') ?? [];
      const request: ReceivedWebhook = {
        path,
        headers: req.headers,
        body,
        verified: verifyWithAny(secrets, body, req.headers),
        receivedAt: Date.now(),
      };
      receiver.received.push(request);
      const reply = receiver.respond(request);
      if (reply === 'hang') return;
      const {
        status,
        delayMs = 0,
        body: replyBody = '',
      } = typeof reply === 'number' ? { status: reply } : reply;
      setTimeout(() => res.writeHead(status).end(replyBody), delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  });
  return receiver;
}
