/**
 * The Node MLLP listener and client over real TCP (and TLS) on 127.0.0.1:
 * replies in order on a kept-open connection, split and coalesced frames,
 * the frame-size cap (the connection closes and the handler never sees the
 * frame), the idle timeout, back-pressure under a flood, no reply when the
 * handler returns null, a failing handler, TLS, and a graceful close that
 * answers the frame in hand.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { buildAck } from '../ack/index.ts';
import { isMllpFrameError } from '../errors.ts';
import { valueAt } from '../message/access.ts';
import { parseMessage } from '../message/parse.ts';
import { serializeMessage } from '../message/serialize.ts';
import { encodeFrame } from '../mllp/frame.ts';
import { MllpClient } from './client.ts';
import { createMllpServer, type MllpServer, type MllpServerOptions } from './server.ts';

const fixtures = new URL('../__fixtures__/', import.meta.url);
const message = (id: string) =>
  `MSH|^~\\&|APP|FAC|CB|CB|20260301||ADT^A01|${id}|P|2.5\rPID|1||M${id}^^^FAC^MR`;
const ackFor = (bytes: Uint8Array) =>
  serializeMessage(buildAck(parseMessage(bytes), { outcome: 'accept', controlId: 'A' }));

let listener: MllpServer | undefined;
const clients: MllpClient[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of sockets.splice(0)) s.destroy();
  await listener?.close(500);
  listener = undefined;
});

async function start(options: Partial<MllpServerOptions> = {}) {
  listener = createMllpServer({ handler: ackFor, ...options });
  const { port } = await listener.listen(0, '127.0.0.1');
  return port;
}

async function client(port: number, extra: object = {}) {
  const c = await MllpClient.connect({ host: '127.0.0.1', port, timeoutMs: 10_000, ...extra });
  clients.push(c);
  return c;
}

/** A raw socket collecting everything the listener writes back. */
async function rawSocket(port: number) {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const state: { received: Buffer; closed: boolean } = { received: Buffer.alloc(0), closed: false };
  socket.on('data', (chunk: Buffer) => {
    state.received = Buffer.concat([state.received, chunk]);
  });
  socket.on('close', () => {
    state.closed = true;
  });
  socket.on('error', () => {});
  return { socket, state };
}

const ackIds = (bytes: Buffer) =>
  bytes
    .toString('utf8')
    .split('\x1c\r')
    .filter((f) => f.startsWith('\x0b'))
    .map((f) => valueAt(parseMessage(f.slice(1)), 'MSA-2'));

describe('MLLP over TCP', () => {
  test('a kept-open connection gets each reply for its own message, in order', async () => {
    const port = await start();
    const c = await client(port);
    for (let i = 1; i <= 50; i++) {
      const ack = parseMessage(await c.send(message(`M${i}`)));
      expect(valueAt(ack, 'MSA-2')).toBe(`M${i}`);
    }
    expect(listener?.connections).toBe(1);
  });

  test('split frames (one byte per write) and coalesced frames (three in one write)', async () => {
    const port = await start();
    const { socket, state } = await rawSocket(port);
    const frame = encodeFrame(message('SPLIT'));
    for (const byte of frame) socket.write(Uint8Array.of(byte));
    socket.write(
      Buffer.concat([
        encodeFrame(message('C1')),
        encodeFrame(message('C2')),
        encodeFrame(message('C3')),
      ]),
    );
    await vi.waitFor(
      () => expect(ackIds(state.received)).toEqual(['SPLIT', 'C1', 'C2', 'C3']),
      10_000,
    );
  });

  test('a frame over the cap closes the connection; the handler never sees it', async () => {
    const handler = vi.fn(ackFor);
    const errors: string[] = [];
    const port = await start({
      handler,
      maxFrameBytes: 1_024,
      onConnectionError: (error) => errors.push(isMllpFrameError(error) ? error.code : 'other'),
    });
    const { socket, state } = await rawSocket(port);
    socket.write(Uint8Array.of(0x0b));
    socket.write(Buffer.alloc(2_000, 'A'));
    await vi.waitFor(() => expect(state.closed).toBe(true), 10_000);
    expect(handler).not.toHaveBeenCalled();
    expect(errors).toEqual(['frame_too_large']);
    expect(state.received.length).toBe(0);
  });

  test('an idle connection is closed after the idle timeout', async () => {
    const errors: string[] = [];
    const port = await start({
      idleTimeoutMs: 150,
      onConnectionError: (error) => errors.push(isMllpFrameError(error) ? error.code : 'other'),
    });
    const { state } = await rawSocket(port);
    await vi.waitFor(() => expect(state.closed).toBe(true), 10_000);
    expect(errors).toEqual(['idle_timeout']);
  });

  test('a slow handler under a flood: reading pauses, every frame is answered in order', async () => {
    const port = await start({
      maxQueuedFrames: 4,
      handler: async (bytes) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return ackFor(bytes);
      },
    });
    const { socket, state } = await rawSocket(port);
    const ids = Array.from({ length: 60 }, (_, i) => `F${i}`);
    socket.write(Buffer.concat(ids.map((id) => encodeFrame(message(id)))));
    await vi.waitFor(() => expect(ackIds(state.received)).toEqual(ids), 15_000);
  });

  test('null means no reply; a throwing handler closes the connection', async () => {
    const errors: Error[] = [];
    const port = await start({
      handler: (bytes) => {
        const id = valueAt(parseMessage(bytes), 'MSH-10');
        if (id === 'SILENT') return null;
        if (id === 'BOOM') throw new Error('storage down');
        return ackFor(bytes);
      },
      onConnectionError: (error) => errors.push(error),
    });
    const { socket, state } = await rawSocket(port);
    socket.write(Buffer.concat([encodeFrame(message('SILENT')), encodeFrame(message('AFTER'))]));
    await vi.waitFor(() => expect(ackIds(state.received)).toEqual(['AFTER']), 10_000);
    socket.write(encodeFrame(message('BOOM')));
    await vi.waitFor(() => expect(state.closed).toBe(true), 10_000);
    expect(errors.map((e) => e.message)).toEqual(['storage down']);
  });

  test('bytes outside frames and an unfinished frame at the end are reported', async () => {
    const unframed: string[] = [];
    const port = await start({
      onUnframed: (bytes) => unframed.push(Buffer.from(bytes).toString()),
    });
    const { socket, state } = await rawSocket(port);
    socket.write(
      Buffer.concat([
        Buffer.from('garbage'),
        encodeFrame(message('OK')),
        Buffer.from('\x0bcut off'),
      ]),
    );
    await vi.waitFor(() => expect(ackIds(state.received)).toEqual(['OK']), 10_000);
    socket.end();
    await vi.waitFor(() => expect(unframed).toEqual(['garbage', 'cut off']), 10_000);
  });

  test('close() answers the frame in hand before closing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered = false;
    const port = await start({
      handler: async (bytes) => {
        entered = true;
        await gate;
        return ackFor(bytes);
      },
    });
    const c = await client(port);
    const reply = c.send(message('INFLIGHT'));
    await vi.waitFor(() => expect(entered).toBe(true), 5_000);
    const closing = listener!.close(5_000);
    setTimeout(release, 50);
    expect(valueAt(parseMessage(await reply), 'MSA-2')).toBe('INFLIGHT');
    await closing;
    listener = undefined;
  });

  test('over TLS', async () => {
    const cert = readFileSync(new URL('tls-cert.pem', fixtures));
    const key = readFileSync(new URL('tls-key.pem', fixtures));
    const port = await start({ tls: { cert, key } });
    const c = await client(port, { tls: { ca: cert, servername: 'localhost' } });
    expect(valueAt(parseMessage(await c.send(message('TLS1'))), 'MSA-2')).toBe('TLS1');
    // A plain-TCP client gets nothing it can read as MLLP.
    const plain = await client(port, { timeoutMs: 1_000 });
    await expect(plain.send(message('PLAIN'))).rejects.toThrow();
  });

  test('the client fails a send that gets no reply in time, with a typed error', async () => {
    const port = await start({ handler: () => null });
    const c = await client(port, { timeoutMs: 100 });
    const error = await c.send(message('NOREPLY')).catch((e: unknown) => e);
    expect(isMllpFrameError(error) && error.code).toBe('ack_timeout');
    const after = await c.send(message('AFTER')).catch((e: unknown) => e);
    expect(isMllpFrameError(after)).toBe(true);
  });
});
