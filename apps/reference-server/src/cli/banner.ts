/**
 * What `start` prints once: where the server listens, where its data
 * lives, the PGlite durability warning, and — on first start only — the
 * demo tenant's credentials. Printed to stdout, never sent to the log.
 */
import type { CoreConfig } from '../config/index.ts';
import type { CreatedTenant } from '../tenants/service.ts';

/**
 * The start banner.
 *
 * @example
 * process.stdout.write(startBanner({ config, url: 'http://127.0.0.1:8080', kind: 'pglite' }));
 */
export function startBanner(input: {
  config: CoreConfig;
  url: string;
  kind: 'pglite' | 'postgres';
  demo?: CreatedTenant | undefined;
}): string {
  const lines = [
    '',
    `ClinicBridge server listening on ${input.url}  (API reference: ${input.url}/docs)`,
  ];
  if (input.kind === 'pglite') {
    lines.push(
      `Storage: embedded PGlite in ${input.config.DATA_DIR}`,
      'WARNING: embedded PGlite does not fsync. Its data survives a killed process but NOT a power',
      '         loss or kernel crash. Run production, and anything holding money, on PostgreSQL',
      '         (set DATABASE_URL=postgres://…).',
    );
  } else {
    lines.push('Storage: PostgreSQL (DATABASE_URL)');
  }
  if (input.demo) {
    lines.push(
      '',
      'Created a demo tenant. These secrets are shown ONCE; store them now:',
      `  tenant id      ${input.demo.tenantId}`,
      `  admin API key  ${input.demo.apiKey}`,
      `  OAuth client   ${input.demo.clientId}`,
      `  client secret  ${input.demo.clientSecret}`,
      '',
      `  curl -H "Authorization: Bearer ${input.demo.apiKey}" ${input.url}/api/v1/patients`,
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
