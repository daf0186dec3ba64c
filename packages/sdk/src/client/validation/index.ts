/** Response validation against the contract, in `strict`, `warn` or `off` mode. */
export * from './validate.ts';
