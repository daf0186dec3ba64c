/**
 * A reference server with the imports feature, as its own process, for
 * the import crash test: opens the database named by the environment
 * (PostgreSQL `DATABASE_URL` + `TEST_SCHEMA`, or a PGlite `DATA_DIR`),
 * runs background imports in batches of 100 rows with a 1 s lease, prints
 * `{"url":…,"apiKey":…}` and stops on SIGTERM. With `SEED_TENANT=1` it
 * first creates a tenant. With `KILL_IN_BATCH=n` it kills itself with
 * SIGKILL once the n-th batch of patients is inserted, before that batch's
 * transaction commits.
 * Run with `node --import ./test/delivery/source-hooks.ts`.
 */
import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { resourceFeatures } from '../../src/features.ts';
import { importsFeature } from '../../src/imports/feature.ts';
import { createTenant } from '../../src/tenants/service.ts';
import { openProcessDatabase, startProcessServer } from '../helpers/server-process.ts';

/** Kills the process once the n-th INSERT into `patients` (built or raw SQL) has run, its transaction still open. */
class KillInBatch implements KyselyPlugin {
  private readonly marked = new WeakSet<QueryId>();
  private inserts = 0;
  private readonly at: number;

  constructor(at: number) {
    this.at = at;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    const intoPatients =
      (node.kind === 'InsertQueryNode' && JSON.stringify(node.into).includes('"patients"')) ||
      (node.kind === 'RawNode' && /^\s*insert into patients\b/.test(node.sqlFragments.join('')));
    if (intoPatients) {
      this.inserts += 1;
      if (this.inserts === this.at) this.marked.add(args.queryId);
    }
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.marked.has(args.queryId)) process.kill(process.pid, 'SIGKILL');
    return args.result;
  }
}

const opened = await openProcessDatabase();
const killAt = Number(process.env.KILL_IN_BATCH ?? 0);
const database =
  killAt > 0 ? { ...opened, db: opened.db.withPlugin(new KillInBatch(killAt)) } : opened;
const server = await startProcessServer(database, [...resourceFeatures, importsFeature], {
  IMPORT_BATCH_ROWS: '100',
  IMPORT_BACKGROUND_BYTES: '1024',
  IMPORT_JOB_LEASE_MILLISECONDS: '1000',
});
const apiKey =
  process.env.SEED_TENANT === '1'
    ? (await createTenant(opened.db, { name: 'Import crash clinic' })).apiKey
    : undefined;
process.stdout.write(`${JSON.stringify({ url: server.url, apiKey })}\n`);
