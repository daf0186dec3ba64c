/**
 * Debian's nginx as a TLS-terminating reverse proxy in front of a started
 * server, as clinic IT would run it: a self-signed certificate made by
 * `openssl` for 127.0.0.1, a config in a temp dir (pid, logs and temp
 * files there too), `daemon off`, on a free 127.0.0.1 port, forwarding
 * `X-Forwarded-Proto` / `X-Forwarded-Host` and keeping event streams
 * unbuffered.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closedPort } from './ports.ts';

const run = promisify(execFile);

/** A running proxy: its https URL and how to stop it. */
export interface TlsProxy {
  readonly url: string;
  close(): Promise<void>;
}

function config(dir: string, port: number, upstream: string): string {
  return `daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name 127.0.0.1;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location / {
      proxy_pass ${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;
    }
  }
}
`;
}

/** Whether the proxy answers over TLS yet (any HTTP status will do). */
function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/healthz`, { rejectUnauthorized: false, timeout: 5_000 }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * Starts nginx proxying `https://127.0.0.1:<port>` to `upstream`; close it in `afterAll`.
 *
 * @example
 * const proxy = await startTlsProxy(server.url);
 * await page.goto(`${proxy.url}/ops`);
 */
export async function startTlsProxy(upstream: string): Promise<TlsProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'cb-nginx-'));
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  const port = await closedPort();
  await writeFile(join(dir, 'nginx.conf'), config(dir, port, upstream));
  const nginx: ChildProcess = spawn(
    '/usr/sbin/nginx',
    ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => nginx.once('exit', () => resolve()));
  const url = `https://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await answers(url))) {
    if (nginx.exitCode !== null || Date.now() > deadline) {
      const log = await readFile(join(dir, 'error.log'), 'utf8').catch(() => '');
      nginx.kill('SIGTERM');
      throw new Error(`nginx did not start: ${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async close() {
      if (nginx.exitCode === null) {
        nginx.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
