/** Builds the namespace objects (`client.appointments.create`, …) from a group of operations. */
import type { Operation } from '../../contract/operation.ts';
import type { EngineConfig } from '../core/types.ts';
import { invokeOperation } from './invoke.ts';
import type { Namespaces } from './types.ts';

/**
 * One namespace per key of `groups`, one method per operation in it.
 *
 * @example
 * const api = buildNamespaces(config, { appointments: appointmentOperations });
 * await api.appointments.get({ appointmentId });
 */
export function buildNamespaces<Ops extends Record<string, Record<string, Operation>>>(
  config: EngineConfig,
  groups: Ops,
): Namespaces<Ops> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [resource, group] of Object.entries(groups)) {
    const ns: Record<string, unknown> = {};
    for (const [action, op] of Object.entries(group)) {
      ns[action] = (...args: unknown[]) => invokeOperation(config, op, args);
    }
    out[resource] = Object.freeze(ns);
  }
  return out as Namespaces<Ops>;
}
