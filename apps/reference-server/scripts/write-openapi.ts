/**
 * Writes what is generated from the OpenAPI document:
 * `node scripts/write-openapi.ts openapi/released/v1.json` refreshes the
 * committed baseline of the last release (docs/versioning.md), and
 * `node scripts/write-openapi.ts --client` the committed client types
 * (test/generated/api.ts) that generated-client.int.test.ts uses.
 */
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../src/openapi/document.ts';
import { CLIENT_TYPES_FILE, generateClientTypes } from '../test/helpers/client-types.ts';

const target = process.argv[2];
if (!target) {
  console.error('usage: node scripts/write-openapi.ts <file> | --client');
  process.exit(2);
}
if (target === '--client') {
  writeFileSync(CLIENT_TYPES_FILE, await generateClientTypes(buildOpenApiDocument()));
  console.log(`wrote ${CLIENT_TYPES_FILE}`);
} else {
  writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
  console.log(`wrote ${target}`);
}
