/** Compile-time checks of the generated signatures; `tsc` fails if they drift. */
import { describe, expectTypeOf, it } from 'vitest';
import type { Appointment, Patient, WebhookEndpointWithSecret } from '../../contract/index.ts';
import type { ClinicBridge } from '../clinic-bridge.ts';
import type { ApiResult } from '../core/types.ts';
import type { PageIterable } from '../pagination/pages.ts';
import type { ApiPromise } from './types.ts';

type Api = ClinicBridge;
declare const client: Api;

describe('generated signatures', () => {
  it('types params, bodies, queries and results from the contract', () => {
    expectTypeOf<Api['appointments']['get']>().parameter(0).toEqualTypeOf<{
      appointmentId: `apt_${string}`;
    }>();
    expectTypeOf<Api['appointments']['get']>().returns.toEqualTypeOf<ApiPromise<Appointment>>();
    expectTypeOf<Api['appointments']['list']>().returns.toEqualTypeOf<PageIterable<Appointment>>();
    expectTypeOf<Api['patients']['list']>().returns.toEqualTypeOf<PageIterable<Patient>>();
    expectTypeOf<Api['webhookEndpoints']['delete']>().returns.toEqualTypeOf<
      ApiPromise<undefined>
    >();
    expectTypeOf<Api['webhookEndpoints']['rotateSecret']>().returns.toEqualTypeOf<
      ApiPromise<WebhookEndpointWithSecret>
    >();
    expectTypeOf<Api['appointments']['get']>().returns.resolves.toEqualTypeOf<Appointment>();
    expectTypeOf<
      ReturnType<ReturnType<Api['appointments']['get']>['withResponse']>
    >().toEqualTypeOf<Promise<ApiResult<Appointment>>>();
  });

  it('rejects wrong arguments at compile time', () => {
    const call = () => {
      // @ts-expect-error params are required
      client.appointments.get();
      // @ts-expect-error the id must carry its prefix
      client.appointments.get({ appointmentId: 'pat_x' });
      // @ts-expect-error the body of cancel needs a reason
      client.appointments.cancel({ appointmentId: 'apt_x' }, {});
      // @ts-expect-error unknown status filter
      client.appointments.list({ status: 'teleported' });
      // A body whose fields are all optional may be left out.
      client.appointments.complete({ appointmentId: 'apt_x' });
      client.appointments.list();
    };
    expectTypeOf(call).toBeFunction();
  });
});
