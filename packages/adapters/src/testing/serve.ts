/**
 * Serves fake providers over real HTTP on 127.0.0.1, so that a separate
 * process (a server under test started with `*_API_URL` pointing here) can
 * call them. Each request is rewritten to the provider's real origin and
 * answered by the same MSW handlers the in-process tests use, through MSW's
 * `getResponse`; a request no handler answers gets a 501 JSON body.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getResponse, type RequestHandler } from 'msw';

/** Largest request body the fake server reads (fakes take small JSON and form bodies). */
const MAX_BODY_BYTES = 1_048_576;

/**
 * A fake provider listening on 127.0.0.1.
 *
 * @example
 * const wa = new FakeWhatsApp();
 * const served = await serveFakeProvider(WHATSAPP_API, wa.handlers());
 * process.env.WHATSAPP_API_URL = served.url;
 * await served.close();
 */
export interface ServedFakeProvider {
  /** `http://127.0.0.1:PORT`: the base URL to give the adapter. */
  readonly url: string;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large for the fake provider');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Serves `handlers` (written for `origin`, e.g. `https://graph.facebook.com`) on 127.0.0.1.
 *
 * @example
 * const sms = new FakeTwilio();
 * const served = await serveFakeProvider(TWILIO_API, sms.handlers());
 */
export async function serveFakeProvider(
  origin: string,
  handlers: readonly RequestHandler[],
): Promise<ServedFakeProvider> {
  const server = createServer((incoming, outgoing) => {
    (async () => {
      const body = await readBody(incoming);
      const headers = new Headers();
      for (const [name, value] of Object.entries(incoming.headers)) {
        if (typeof value === 'string') headers.set(name, value);
        else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
      }
      headers.delete('host');
      const method = incoming.method ?? 'GET';
      const request = new Request(new URL(incoming.url ?? '/', origin), {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: new Uint8Array(body) }),
      });
      const response =
        (await getResponse([...handlers], request)) ??
        Response.json({ error: `no fake handler for ${method} ${incoming.url}` }, { status: 501 });
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      outgoing.end(Buffer.from(await response.arrayBuffer()));
    })().catch((error: unknown) => {
      outgoing.writeHead(500, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
