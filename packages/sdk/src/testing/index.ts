/**
 * `@clinicbridge/sdk/testing`: test an integration without a server. A fake
 * API (MSW handlers implementing the whole contract in memory), fixture
 * factories, a webhook signer, and the contract suite both the fake API and
 * the reference server pass.
 */

export * from './fake-api/index.ts';
export * from './fixtures/index.ts';
export * from './sign-test-webhook.ts';
