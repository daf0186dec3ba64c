/**
 * A fetch that answers from a script of responses (or thrown errors) and
 * records every request, for retry and timeout tests with fake timers.
 */
export type Step = Response | Error | ((request: Request) => Response | Promise<Response>);

export interface ScriptedFetch {
  fetch: typeof globalThis.fetch;
  requests: Request[];
}

export function scriptedFetch(steps: Step[]): ScriptedFetch {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request);
    const step = steps.shift();
    if (step === undefined) throw new Error('scripted fetch: no more steps');
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(request);
    return step;
  };
  return { fetch, requests };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': `req_${status}`, ...headers },
  });
}

export function problem(
  status: number,
  code: string,
  headers: Record<string, string> = {},
  extra: Record<string, unknown> = {},
): Response {
  return new Response(
    JSON.stringify({
      type: `https://docs.clinicbridge.dev/errors/${code}`,
      title: code,
      status,
      code,
      requestId: `req_${code}`,
      ...extra,
    }),
    {
      status,
      headers: {
        'content-type': 'application/problem+json',
        'x-request-id': `req_${code}`,
        ...headers,
      },
    },
  );
}
