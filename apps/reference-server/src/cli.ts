#!/usr/bin/env node
/**
 * `clinicbridge-server <command>`: start | migrate | create-tenant |
 * create-token | create-client | revoke-client | rotate-client-secret | rotate-signing-key |
 * move-to-postgres | pin-client-cert | escrow-payee | seed-sandbox |
 * audit verify | pii rotate-key | pii status | hl7-facility | hl7-map | worker. Runs from source under Node's type
 * stripping (`node apps/reference-server/src/cli.ts start`). Configuration
 * comes from the environment (see docs/self-hosting.md).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startBanner } from './cli/banner.ts';
import {
  auditVerifyCommand,
  CommandError,
  createClientCommand,
  createTenantCommand,
  createTokenCommand,
  escrowPayeeCommand,
  hl7FacilityCommand,
  hl7MapCommand,
  migrateCommand,
  moveToPostgresCommand,
  oauthClientCommand,
  piiKeysCommand,
  pinClientCertCommand,
  rotateSigningKeyCommand,
  seedSandboxCommand,
} from './cli/commands.ts';
import { parseQueues, startWorkerProcess } from './cli/worker.ts';
import { ConfigError, type CoreConfig, loadConfig, wantsDemoTenant } from './config/index.ts';
import { DEV_KEYS_FILE } from './crypto/keys.ts';
import { DataDirInUseError } from './db/database.ts';
import { MoveError } from './db/move.ts';
import { featureConfigSections } from './features.ts';
import { createLogger, stdoutStream } from './observability/logger.ts';
import { openConfiguredDatabase, startServer } from './server.ts';
import { type CreatedTenant, countTenants, createTenant } from './tenants/service.ts';

const usage = `Usage: clinicbridge-server <command> [options]

Commands:
  start                                  migrate, then serve (PORT, default 8080)
  migrate                                apply pending database migrations
  create-tenant --name N [--json]        a tenant, its admin API key and OAuth client
  create-token --tenant T --scopes a,b [--name N] [--tier standard|high] [--expires-at ISO] [--allow-ip ip,cidr]... [--json]
                                         an API key; --allow-ip limits where it may be used from (at most 50)
  create-client --tenant T --scopes a,b [--name N] [--tier standard|high] [--allow-ip ip,cidr]... [--json]
                                         an OAuth client (secret shown once); --allow-ip as for create-token
  revoke-client --tenant T --client C    revoke an OAuth client; its access tokens fail on their next request
  rotate-client-secret --tenant T --client C
                                         new OAuth client secret (shown once); the old one gets no new token
  rotate-signing-key                     new OAuth signing key; the old one verifies until its tokens expire
  move-to-postgres --to URL [--json]    copy the PGlite data directory into an empty PostgreSQL
                                         database (server stopped; verified, all or nothing)
  audit verify [--tenant T] [--json]     walk the audit log's hash chains; exit 1 at the first broken row
  seed-sandbox [--name N] [--json]       (SERVER_ENVIRONMENT=test only) a test tenant with fake patients,
                                         appointments, invoices and payments; its test credentials shown once
  pin-client-cert --tenant T --credential tok_…|cli_… (--cert FILE.pem | --sha256 HEX | --unpin) [--json]
                                         require that TLS client certificate with the credential (mutual TLS)
  escrow-payee --tenant T (--account acct_… | --remove) [--json]
                                         pay the tenant's released escrow tranches to its Stripe Connect account
  pii rotate-key [--batch N] [--json]    re-encrypt every patient under the first key of PII_ENCRYPTION_KEYS
                                         (batches of N, default 500; resumable); then a retired key can be removed
  pii status [--json]                    patients by the key their personal data is stored under
  hl7-facility --tenant T --facility MSH4 --allow ip,cidr [--application MSH3] [--utc-offset +05:30] [--processing-id P]
                                         register an HL7 sending facility for a tenant
  hl7-map --tenant T --kind provider|department|service --code C --ref R [--label L]
          [--unit day|each --price MINOR --currency ISO [--tax-bps N]]
                                         map a hospital code to a clinician, department or priced service
  worker --queues email_notifications,sms_notifications,push_notifications
                                         send queued notification intents (NOTIFICATIONS_QUEUE_URL) until SIGTERM;
                                         push needs FCM_SERVICE_ACCOUNT
`;

async function start(config: CoreConfig): Promise<void> {
  const stdout = stdoutStream();
  const logger = createLogger(config.LOG_LEVEL, stdout);
  const server = await startServer({ config, logger });
  let demo: CreatedTenant | undefined;
  if (
    wantsDemoTenant(config, server.database.kind) &&
    (await countTenants(server.database.db)) === 0
  ) {
    demo = await createTenant(server.database.db, {
      name: 'Demo clinic',
      environment: config.SERVER_ENVIRONMENT,
    });
  }
  logger.info({ url: server.url, storage: server.database.kind }, 'server started');
  // The banner (with the demo credentials, once) is the last thing `start` prints. It is
  // not a log record; it goes through the logger's stream only to come after its lines.
  stdout.write(startBanner({ config, url: server.url, kind: server.database.kind, demo }));
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

async function worker(config: CoreConfig, queues: ReturnType<typeof parseQueues>): Promise<void> {
  const logger = createLogger(config.LOG_LEVEL, stdoutStream());
  const database = await openConfiguredDatabase(config);
  let running: Awaited<ReturnType<typeof startWorkerProcess>>;
  try {
    running = await startWorkerProcess({ config, database, queues, logger });
  } catch (error) {
    await database.close();
    throw error;
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: finishing the sends in flight');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

function allowedLine(allowedIps: readonly string[] | undefined): string {
  return allowedIps ? `\nallowed from ${allowedIps.join(' ')}` : '';
}

function print(value: unknown, asJson: boolean, text: string): void {
  process.stdout.write(asJson ? `${JSON.stringify(value)}\n` : `${text}\n`);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: command === 'audit' || command === 'pii',
    options: {
      name: { type: 'string' },
      tenant: { type: 'string' },
      client: { type: 'string' },
      scopes: { type: 'string' },
      tier: { type: 'string' },
      'expires-at': { type: 'string' },
      'allow-ip': { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      to: { type: 'string' },
      facility: { type: 'string' },
      application: { type: 'string' },
      allow: { type: 'string' },
      'utc-offset': { type: 'string' },
      'processing-id': { type: 'string' },
      kind: { type: 'string' },
      code: { type: 'string' },
      ref: { type: 'string' },
      label: { type: 'string' },
      unit: { type: 'string' },
      price: { type: 'string' },
      currency: { type: 'string' },
      'tax-bps': { type: 'string' },
      batch: { type: 'string' },
      credential: { type: 'string' },
      cert: { type: 'string' },
      sha256: { type: 'string' },
      unpin: { type: 'boolean', default: false },
      queues: { type: 'string' },
      account: { type: 'string' },
      remove: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const config = loadConfig(process.env, featureConfigSections);
  switch (command) {
    case 'start':
      await start(config);
      return -1;
    case 'worker':
      await worker(config, parseQueues(values.queues));
      return -1;
    case 'migrate': {
      const applied = await migrateCommand(config);
      print(
        { applied },
        values.json,
        applied.length ? `applied: ${applied.join(', ')}` : 'up to date',
      );
      return 0;
    }
    case 'create-tenant': {
      if (!values.name) throw new CommandError('create-tenant needs --name');
      const t = await createTenantCommand(config, values.name);
      print(
        t,
        values.json,
        `tenant ${t.tenantId}\nadmin API key ${t.apiKey}\nOAuth client ${t.clientId}\nclient secret ${t.clientSecret}\n(shown once)`,
      );
      return 0;
    }
    case 'create-token': {
      if (!values.tenant || !values.scopes)
        throw new CommandError('create-token needs --tenant and --scopes');
      const token = await createTokenCommand(config, {
        tenantId: values.tenant,
        scopes: values.scopes,
        ...(values.name ? { name: values.name } : {}),
        ...(values.tier ? { tier: values.tier } : {}),
        ...(values['expires-at'] ? { expiresAt: values['expires-at'] } : {}),
        ...(values['allow-ip'] ? { allowIp: values['allow-ip'] } : {}),
      });
      print(
        token,
        values.json,
        `token ${token.id}\nAPI key ${token.apiKey} (shown once)\nscopes ${token.scopes.join(' ')}${allowedLine(token.allowedIps)}`,
      );
      return 0;
    }
    case 'create-client': {
      if (!values.tenant || !values.scopes)
        throw new CommandError('create-client needs --tenant and --scopes');
      const client = await createClientCommand(config, {
        tenantId: values.tenant,
        scopes: values.scopes,
        ...(values.name ? { name: values.name } : {}),
        ...(values.tier ? { tier: values.tier } : {}),
        ...(values['allow-ip'] ? { allowIp: values['allow-ip'] } : {}),
      });
      print(
        client,
        values.json,
        `OAuth client ${client.clientId}\nclient secret ${client.clientSecret} (shown once)\nscopes ${client.scopes.join(' ')}${allowedLine(client.allowedIps)}`,
      );
      return 0;
    }
    case 'revoke-client':
    case 'rotate-client-secret': {
      if (!values.tenant || !values.client)
        throw new CommandError(`${command} needs --tenant and --client`);
      const action = command === 'revoke-client' ? 'revoke' : 'rotate';
      const result = await oauthClientCommand(config, action, {
        tenantId: values.tenant,
        clientId: values.client,
      });
      print(
        result,
        values.json,
        result.clientSecret
          ? `OAuth client ${result.clientId}\nclient secret ${result.clientSecret} (shown once)`
          : `OAuth client ${result.clientId} revoked`,
      );
      return 0;
    }
    case 'move-to-postgres': {
      if (!values.to) throw new CommandError('move-to-postgres needs --to postgres://…');
      const report = await moveToPostgresCommand(config, values.to);
      const rows = report.tables.reduce((sum, table) => sum + table.rows, 0);
      const keyNote =
        report.keys === 'development'
          ? `\nPersonal data stays encrypted under the development key: on the PostgreSQL server set PII_ENCRYPTION_KEYS to "keys" and PII_INDEX_KEY to "indexKey" from ${join(config.DATA_DIR, DEV_KEYS_FILE)} (as files: PII_ENCRYPTION_KEYS_FILE), then move to a new key with pii rotate-key.`
          : '\nKeep PII_ENCRYPTION_KEYS and PII_INDEX_KEY as they are on the PostgreSQL server.';
      print(
        report,
        values.json,
        `moved ${rows} rows in ${report.tables.length} tables to PostgreSQL (verified); start the server with DATABASE_URL set to it${keyNote}`,
      );
      return 0;
    }
    case 'rotate-signing-key': {
      const kid = await rotateSigningKeyCommand(config);
      print({ kid }, values.json, `new signing key ${kid}`);
      return 0;
    }
    case 'audit': {
      if (positionals[0] !== 'verify' || positionals.length > 1)
        throw new CommandError('audit takes one subcommand: audit verify [--tenant T]');
      const report = await auditVerifyCommand(
        config,
        values.tenant ? { tenantId: values.tenant } : {},
      );
      const heads = report.tenants.map((t) => `${t.tenantId}: ${t.rows} rows, head ${t.head}`);
      const broken = report.broken;
      print(
        report,
        values.json,
        [
          ...heads,
          broken
            ? `broken: tenant ${broken.tenantId}, row ${broken.id} (chain position ${broken.chainSeq}): ${broken.reason}`
            : 'audit chain intact',
        ].join('\n'),
      );
      return broken ? 1 : 0;
    }
    case 'seed-sandbox': {
      const s = await seedSandboxCommand(config, values.name);
      print(
        s,
        values.json,
        `sandbox tenant ${s.tenantId}: ${s.patients} fake patients, ${s.appointments} appointments, ${s.invoices} invoices, ${s.payments} payments\ntest API key ${s.apiKey}\nOAuth client ${s.clientId}\nclient secret ${s.clientSecret}\n(shown once; accepted only by a server with SERVER_ENVIRONMENT=test)`,
      );
      return 0;
    }
    case 'pin-client-cert': {
      if (!values.tenant || !values.credential)
        throw new CommandError('pin-client-cert needs --tenant and --credential');
      const pinned = await pinClientCertCommand(config, {
        tenantId: values.tenant,
        credentialId: values.credential,
        ...(values.cert ? { certFile: values.cert } : {}),
        ...(values.sha256 ? { sha256: values.sha256 } : {}),
        unpin: values.unpin,
      });
      print(
        pinned,
        values.json,
        pinned.clientCertSha256
          ? `${pinned.credentialId} requires the client certificate ${pinned.clientCertSha256}`
          : `${pinned.credentialId} requires no client certificate`,
      );
      return 0;
    }
    case 'escrow-payee': {
      if (!values.tenant || (!values.account && !values.remove))
        throw new CommandError('escrow-payee needs --tenant and --account acct_… (or --remove)');
      const payee = await escrowPayeeCommand(config, {
        tenantId: values.tenant,
        accountId: values.remove ? null : (values.account ?? null),
      });
      print(
        payee,
        values.json,
        payee.accountId
          ? `released tranches of ${payee.tenantId} are paid to ${payee.accountId}`
          : `released tranches of ${payee.tenantId} stay in the platform balance`,
      );
      return 0;
    }
    case 'pii': {
      const sub = positionals[0];
      if ((sub !== 'rotate-key' && sub !== 'status') || positionals.length > 1)
        throw new CommandError('pii takes one subcommand: pii rotate-key [--batch N] | pii status');
      const report = await piiKeysCommand(config, {
        rotate: sub === 'rotate-key',
        batch: Number(values.batch ?? 500),
      });
      const keys = Object.entries(report.keys).map(([kid, n]) => `${kid}: ${n} patients`);
      print(
        report,
        values.json,
        [
          `active key ${report.activeKid}`,
          ...(sub === 'rotate-key' ? [`re-encrypted ${report.reencrypted} patients`] : []),
          ...keys,
        ].join('\n'),
      );
      return 0;
    }
    case 'hl7-facility': {
      if (!values.tenant || !values.facility || !values.allow)
        throw new CommandError('hl7-facility needs --tenant, --facility and --allow');
      const { facilityId } = await hl7FacilityCommand(config, {
        tenantId: values.tenant,
        facility: values.facility,
        allow: values.allow,
        ...(values.application ? { application: values.application } : {}),
        ...(values['utc-offset'] ? { utcOffset: values['utc-offset'] } : {}),
        ...(values['processing-id'] ? { processingId: values['processing-id'] } : {}),
      });
      print({ facilityId }, values.json, `facility ${facilityId}`);
      return 0;
    }
    case 'hl7-map': {
      if (!values.tenant || !values.kind || !values.code || !values.ref)
        throw new CommandError('hl7-map needs --tenant, --kind, --code and --ref');
      await hl7MapCommand(config, {
        tenantId: values.tenant,
        kind: values.kind,
        code: values.code,
        ref: values.ref,
        ...(values.label ? { label: values.label } : {}),
        ...(values.unit ? { unit: values.unit } : {}),
        ...(values.price ? { price: values.price } : {}),
        ...(values.currency ? { currency: values.currency } : {}),
        ...(values['tax-bps'] ? { taxBps: values['tax-bps'] } : {}),
      });
      print({ mapped: true }, values.json, `${values.kind} ${values.code} mapped`);
      return 0;
    }
    default:
      process.stderr.write(usage);
      return command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof ConfigError ||
      error instanceof CommandError ||
      error instanceof DataDirInUseError ||
      error instanceof MoveError
    ) {
      process.stderr.write(`${error.message}\n`);
    } else if (
      error instanceof TypeError &&
      'code' in error &&
      String(error.code).startsWith('ERR_PARSE_ARGS')
    ) {
      process.stderr.write(`${error.message}\n\n${usage}`);
    } else {
      process.stderr.write(
        `clinicbridge-server failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
    process.exitCode = 1;
  },
);
