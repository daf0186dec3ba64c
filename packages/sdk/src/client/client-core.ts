/**
 * `ClinicBridgeClient`: the client without generated namespaces. It calls
 * any operation object passed to `request`, so a bundle that imports only the
 * operations it uses carries only their schemas.
 */
import type { Operation } from '../contract/operation.ts';
import { type ClientCoreOptions, resolveConfig } from './core/options.ts';
import type { EngineConfig } from './core/types.ts';
import { invokeOperation } from './namespaces/invoke.ts';
import type { OperationArgs, OperationReturn } from './namespaces/types.ts';

/**
 * A client that calls operations passed to it; `ClinicBridge` adds a
 * namespace per resource on top. It takes an API key or an `auth` strategy
 * (`auth: oauthClientCredentials(...)` for client credentials).
 *
 * @example
 * import { ClinicBridgeClient } from '@clinicbridge/sdk';
 * import { appointmentsGet } from '@clinicbridge/sdk/contract';
 *
 * const client = new ClinicBridgeClient({ baseUrl: 'https://api.clinicbridge.example', apiKey: 'cb_test_…' });
 * const appointment = await client.request(appointmentsGet, { appointmentId: 'apt_…' });
 */
export class ClinicBridgeClient {
  /** Resolved settings; shared by every call of this client. */
  protected readonly config: EngineConfig;

  constructor(options: ClientCoreOptions) {
    this.config = resolveConfig(options);
  }

  /**
   * Calls one operation of the contract with its typed arguments.
   *
   * @example
   * await client.request(appointmentsCancel, { appointmentId }, { reason: 'patient request' });
   */
  request<O extends Operation>(op: O, ...args: OperationArgs<O>): OperationReturn<O> {
    return invokeOperation(this.config, op, args);
  }
}
