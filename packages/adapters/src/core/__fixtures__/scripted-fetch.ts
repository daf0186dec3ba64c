/**
 * A fetch double that answers from a script and records what was sent, for
 * tests that need exact control over timing (fake timers) without a network.
 */
export interface SentRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

export type Step = Response | Error | ((request: SentRequest) => Response | Promise<Response>);

export function scriptedFetch(steps: Step[], fallback?: Step) {
  const sent: SentRequest[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const entry: SentRequest = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: await request.text(),
    };
    sent.push(entry);
    const step = steps.shift() ?? fallback;
    if (!step) throw new Error('scriptedFetch: no step left');
    if (step instanceof Error) throw step;
    if (typeof step === 'function') return step(entry);
    return step.clone();
  };
  return { fetch: fetchImpl as typeof fetch, sent };
}

// Same argument order as the SDK's fixture and `Response.json`: body first, then status.
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
