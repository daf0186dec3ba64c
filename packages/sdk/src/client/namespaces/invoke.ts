/**
 * Runs an operation from positional arguments (`params`, then body or query,
 * then options), the shape every generated method shares.
 */
import type { Operation } from '../../contract/operation.ts';
import { sendOperation } from '../core/engine.ts';
import type { ApiResult, EngineConfig, RequestOptions } from '../core/types.ts';
import { paginate } from '../pagination/pages.ts';
import type { ApiPromise, OperationArgs, OperationReturn } from './types.ts';

/**
 * Calls `op` with the arguments of its generated method.
 *
 * @example
 * const appointment = await invokeOperation(config, operations.appointments.get, [{ appointmentId }]);
 */
export function invokeOperation<O extends Operation>(
  config: EngineConfig,
  op: O,
  args: OperationArgs<O> | unknown[],
): OperationReturn<O> {
  let i = 0;
  const params = op.params ? (args[i++] as Record<string, string>) : undefined;
  const payload = op.body || op.query ? args[i++] : undefined;
  const options = (args[i] as RequestOptions | undefined) ?? {};
  if (op.paginated) {
    const query = (payload ?? {}) as Record<string, unknown>;
    return paginate(
      (cursor) =>
        sendOperation(
          config,
          op,
          { params, query: { ...query, cursor: cursor ?? query.cursor } },
          options,
        ) as Promise<ApiResult<{ data: never[]; nextCursor: string | null }>>,
      undefined,
    ) as unknown as OperationReturn<O>;
  }
  const input = op.body
    ? { params, body: payload ?? {} }
    : { params, query: payload as Record<string, unknown> | undefined };
  const full = sendOperation(config, op, input, options);
  const data = full.then((r) => r.data) as ApiPromise<unknown>;
  // A caller who only awaits `withResponse()` never touches `data`; without
  // this its rejection would be unhandled and could end the process. Awaiting
  // `data` still rejects as usual.
  data.catch(() => {});
  data.withResponse = () => full;
  return data as OperationReturn<O>;
}
