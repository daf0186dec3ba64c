/**
 * A reference server with the money feature, as its own process, for the
 * escrow crash test: opens the database named by the environment
 * (PostgreSQL `DATABASE_URL` + `TEST_SCHEMA`, or a PGlite `DATA_DIR`),
 * listens on a free port of 127.0.0.1, prints `{"url":…,"apiKey":…}`, and
 * stops on SIGTERM. With `SEED_TENANT=1` it first creates a tenant and
 * prints its API key. With `KILL_IN_RELEASE=1` it kills itself with SIGKILL
 * in the middle of a milestone release: after the tranche's ledger transfer
 * was posted and before the release commits.
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
import { moneyFeature } from '../../src/money/feature.ts';
import { createTenant } from '../../src/tenants/service.ts';
import { openProcessDatabase, startProcessServer } from '../helpers/server-process.ts';

/**
 * Kills the process once the statement marking a milestone released has
 * run: the release's transfer is posted in the same, still open, transaction.
 */
class KillInRelease implements KyselyPlugin {
  private readonly marked = new WeakSet<QueryId>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    if (node.kind === 'UpdateQueryNode' && JSON.stringify(node.table).includes('escrow_milestones'))
      this.marked.add(args.queryId);
    return node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    if (this.marked.has(args.queryId)) process.kill(process.pid, 'SIGKILL');
    return args.result;
  }
}

const opened = await openProcessDatabase();
const database =
  process.env.KILL_IN_RELEASE === '1'
    ? { ...opened, db: opened.db.withPlugin(new KillInRelease()) }
    : opened;
const server = await startProcessServer(database, [...resourceFeatures, moneyFeature]);
const apiKey =
  process.env.SEED_TENANT === '1'
    ? (await createTenant(opened.db, { name: 'Escrow crash clinic' })).apiKey
    : undefined;
process.stdout.write(`${JSON.stringify({ url: server.url, apiKey })}\n`);
