import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as z from 'zod';
import { ConfigError, loadConfig, publicUrl, wantsDemoTenant } from './index.ts';

describe('loadConfig', () => {
  test('documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 8080, DATA_DIR: './.data' });
    expect(config.CREATE_DEMO_TENANT).toBeUndefined();
    expect(config.DATABASE_URL).toBeUndefined();
    expect(publicUrl(config)).toBe('http://localhost:8080');
  });

  test('a demo tenant by default on PGlite only; CREATE_DEMO_TENANT decides either way', () => {
    expect(wantsDemoTenant(loadConfig({}), 'pglite')).toBe(true);
    expect(wantsDemoTenant(loadConfig({}), 'postgres')).toBe(false);
    expect(wantsDemoTenant(loadConfig({ CREATE_DEMO_TENANT: 'true' }), 'postgres')).toBe(true);
    expect(wantsDemoTenant(loadConfig({ CREATE_DEMO_TENANT: 'false' }), 'pglite')).toBe(false);
  });

  test('every bad value is reported by name, never echoing the value', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://user:hunter2@db/x', LOG_LEVEL: 'loud' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const issues = (error as ConfigError).issues.join('\n');
      expect(issues).toMatch(/^PORT: /m);
      expect(issues).toMatch(/^DATABASE_URL: .*postgres:\/\//m);
      expect(issues).toMatch(/^LOG_LEVEL: /m);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  test('secrets can come from *_FILE paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cb-config-'));
    const file = join(dir, 'db-url');
    await writeFile(file, 'postgres://app:secret@db:5432/clinic\n');
    expect(loadConfig({ DATABASE_URL_FILE: file }).DATABASE_URL).toBe(
      'postgres://app:secret@db:5432/clinic',
    );
    expect(() => loadConfig({ DATABASE_URL_FILE: join(dir, 'missing') })).toThrow(
      /DATABASE_URL_FILE: cannot read/,
    );
  });

  test('feature sections merge into one schema', () => {
    const webhooks = z.object({
      WEBHOOK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    });
    const config = loadConfig({ WEBHOOK_TIMEOUT_MS: '2500' }, [webhooks]);
    expect(config.WEBHOOK_TIMEOUT_MS).toBe(2500);
    expect(config.PORT).toBe(8080);
  });
});
