/**
 * Benchmark: CPU per answer of a console page (the real layout around a
 * table of 20 rows, about 6 KB) sent with `sendPage`, against the same
 * page sent with Hono's `c.html`, in the same run and the same process as
 * its undici load. `c.html` hands the page on as a `String` object, so the
 * Node adapter builds a Web Response and reads the page back out of its
 * stream; `sendPage` hands it the text, written as built (src/http/page.ts).
 * Both render the page on every request.
 * Run: `node bench/page.ts` (from apps/reference-server).
 */
import { Hono } from 'hono';
import { html } from 'hono/html';
import { Pool } from 'undici';
import { opsPage } from '../src/console/pages/layout.ts';
import { sendPage } from '../src/http/page.ts';
import { cpuMicrosPerRequest, interleavedMedians, serveOnLoopback } from './delivery-lib.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 8_000);
const ROUNDS = 5;
const CONCURRENCY = 10;
const rows = Array.from({ length: 20 }, (_, i) => ({
  id: `mt_${i}`,
  kind: i % 2 ? 'claim_follow_up' : 'visa_documents',
  subject: `Patient <${i}> needs a call back`,
  due: new Date(Date.UTC(2026, 11, 8, 9, i)).toISOString(),
}));
const render = () =>
  opsPage({
    title: 'Manual tasks',
    path: '/ops/tasks',
    notice: null,
    body: html`<table><thead><tr><th>Task</th><th>Kind</th><th>Subject</th><th>Due</th></tr></thead>
<tbody>${rows.map(
      (row) =>
        html`<tr><td><a href="/ops/tasks/${row.id}">${row.id}</a></td><td>${row.kind}</td><td>${row.subject}</td><td><time datetime="${row.due}">${row.due}</time></td></tr>`,
    )}</tbody></table>`,
  });

const app = new Hono();
app.get('/ops/html', (c) => c.html(render()));
app.get('/ops/page', (c) => sendPage(c, render()));

const served = await serveOnLoopback(app);
const pool = new Pool(served.url, { connections: CONCURRENCY });
const expected = await (await fetch(`${served.url}/ops/page`)).text();

/** CPU µs per answer over one pass; every page checked against the one rendered first. */
function pass(path: string): Promise<number> {
  return cpuMicrosPerRequest(REQUESTS, CONCURRENCY, async () => {
    const res = await pool.request({ method: 'GET', path });
    if ((await res.body.text()) !== expected) throw new Error(`${path} sent another page`);
  });
}

const { html: viaHtml, page } = await interleavedMedians(ROUNDS, {
  html: () => pass('/ops/html'),
  page: () => pass('/ops/page'),
});
await pool.close();
await served.close();
console.log(
  `Console pages (${(Buffer.byteLength(expected) / 1024).toFixed(1)} KB), ${REQUESTS.toLocaleString('en-US')} GETs × ${ROUNDS} rounds, concurrency ${CONCURRENCY}, Node ${process.version} (CPU µs per answer, route and load in one process, median)`,
);
console.log(`c.html (String object)    ${viaHtml.toFixed(1).padStart(6)} µs   (baseline)`);
console.log(
  `sendPage (text)           ${page.toFixed(1).padStart(6)} µs   ${(page / viaHtml).toFixed(2)}× the baseline`,
);
