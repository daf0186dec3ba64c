/**
 * Honesty checks on `/openapi.json`: the server URL is `PUBLIC_URL` (or the
 * document's own origin).
 */
import { OAUTH_TOKEN_PATH } from '@clinicbridge/sdk/contract';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, startTestApp, type TestApp } from '../../test/helpers/app.ts';
import { buildOpenApiDocument } from './document.ts';

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  schema: Record<string, unknown>;
}
interface Document {
  servers: { url: string }[];
  paths: Record<string, Record<string, { parameters: Parameter[] }>>;
  components: {
    securitySchemes: {
      oauth2: {
        flows: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } };
      };
    };
  };
}

const flow = (doc: Document) => doc.components.securitySchemes.oauth2.flows.clientCredentials;

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ tenantCount: 1, env: { PUBLIC_URL: 'https://api.clinic.example/' } });
});
afterAll(() => t.close());

describe('/openapi.json', () => {
  test('names PUBLIC_URL as the server and the base of the token URL', async () => {
    const doc = await json<Document>(await t.app.request('/openapi.json'));
    expect(doc.servers).toEqual([{ url: 'https://api.clinic.example' }]);
    expect(flow(doc).tokenUrl).toBe(`https://api.clinic.example${OAUTH_TOKEN_PATH}`);
  });

  test('without PUBLIC_URL the server is the origin the document came from', () => {
    const doc = buildOpenApiDocument() as unknown as Document;
    expect(doc.servers).toEqual([{ url: '/' }]);
    expect(flow(doc).tokenUrl).toBe(OAUTH_TOKEN_PATH);
  });
});
