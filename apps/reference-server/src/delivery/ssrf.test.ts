import type { LookupAddress } from 'node:dns';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseAllowlist, parseAllowlistEntry } from './allowlist.ts';
import { embeddedIpv4, type IpAddress, parseIp, parseIpRange } from './ip.ts';
import {
  createTargetGuard,
  isBlockedAddress,
  isTargetRefusedError,
  type ResolveHost,
} from './ssrf.ts';

const dns: Record<string, LookupAddress[]> = {
  'partner.example': [{ address: '93.184.216.34', family: 4 }],
  'v6.partner.example': [{ address: '2606:2800:220:1:248:1893:25c8:1946', family: 6 }],
  'internal.example': [{ address: '10.1.2.3', family: 4 }],
  'mixed.example': [
    { address: '93.184.216.34', family: 4 },
    { address: '192.168.1.10', family: 4 },
  ],
  'mapped.example': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'linklocal6.example': [{ address: 'fe80::1', family: 6 }],
  localhost: [{ address: '127.0.0.1', family: 4 }],
};
const resolve: ResolveHost = async (host) => {
  const found = dns[host];
  if (!found) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
  return found;
};

async function refusal(url: string, allowlist: string[] = []): Promise<string | undefined> {
  try {
    await createTargetGuard({ allowlist, resolve }).check(url);
    return undefined;
  } catch (error) {
    if (isTargetRefusedError(error)) return error.code;
    throw error;
  }
}

describe('address parsing', () => {
  test('IPv6 forms parse, with brackets and zone ids', () => {
    expect(parseIp('::1')?.toNormalizedString()).toBe('0:0:0:0:0:0:0:1');
    expect(parseIp('[fe80::1%eth0]')?.toNormalizedString()).toBe('fe80:0:0:0:0:0:0:1');
    expect(parseIp('example.com')).toBeUndefined();
    expect(parseIp('0x7f.1')).toBeUndefined();
  });

  test('IPv4 inside IPv6 is unwrapped', () => {
    expect(embeddedIpv4(parseIp('::ffff:7f00:1') as IpAddress)?.toString()).toBe('127.0.0.1');
    expect(embeddedIpv4(parseIp('::ffff:0:7f00:1') as IpAddress)?.toString()).toBe('127.0.0.1');
    expect(embeddedIpv4(parseIp('64:ff9b::10.0.0.1') as IpAddress)?.toString()).toBe('10.0.0.1');
    expect(embeddedIpv4(parseIp('64:ff9b:1::a00:1') as IpAddress)).toBeUndefined();
    expect(embeddedIpv4(parseIp('::1') as IpAddress)).toBeUndefined();
  });

  test('every IPv4 address is judged the same inside each IPv4-in-IPv6 form', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        const blocked = isBlockedAddress(parseIp(v4) as IpAddress);
        for (const form of [`::ffff:${v4}`, `::ffff:0:${v4}`, `64:ff9b::${v4}`]) {
          expect(isBlockedAddress(parseIp(form) as IpAddress)).toBe(blocked);
        }
        expect(isBlockedAddress(parseIp(`64:ff9b:1::${v4}`) as IpAddress)).toBe(true);
      }),
    );
  });

  test('range parsing refuses nonsense', () => {
    expect(parseIpRange('10.0.0.0/33')).toBeUndefined();
    expect(parseIpRange('10.0.0.0/x')).toBeUndefined();
    expect(parseIpRange('fd00::/8')?.[1]).toBe(8);
  });
});

describe('isBlockedAddress', () => {
  test.each([
    '127.0.0.1',
    '127.255.0.1',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
    '::10.0.0.1',
    '2002:7f00:1::',
    '::ffff:0:7f00:1',
    '64:ff9b:1::808:808',
    '100:0:0:1::1',
    '3fff::1',
    '2001:db8::1',
  ])('%s is blocked', (address) => {
    expect(isBlockedAddress(parseIp(address) as IpAddress)).toBe(true);
  });

  test.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
    '::ffff:0:808:808',
    '64:ff9b::808:808',
  ])('%s is public', (address) => {
    expect(isBlockedAddress(parseIp(address) as IpAddress)).toBe(false);
  });
});

describe('TargetGuard.check', () => {
  test('public https targets pass, over IPv4 and IPv6', async () => {
    expect(await refusal('https://partner.example/hooks')).toBeUndefined();
    expect(await refusal('https://v6.partner.example/hooks')).toBeUndefined();
    expect(await refusal('https://93.184.216.34/hooks')).toBeUndefined();
  });

  test.each([
    ['https://127.0.0.1/x', 'target_not_allowed'],
    ['https://[::1]/x', 'target_not_allowed'],
    ['https://[::ffff:127.0.0.1]/x', 'target_not_allowed'],
    ['https://[::ffff:a00:1]/x', 'target_not_allowed'],
    ['https://169.254.169.254/latest/meta-data', 'target_not_allowed'],
    ['https://internal.example/x', 'target_not_allowed'],
    ['https://mixed.example/x', 'target_not_allowed'],
    ['https://mapped.example/x', 'target_not_allowed'],
    ['https://linklocal6.example/x', 'target_not_allowed'],
    ['https://localhost/x', 'target_not_allowed'],
    ['https://0x7f000001/x', 'target_not_allowed'],
    ['http://partner.example/x', 'https_required'],
    ['ftp://partner.example/x', 'invalid_url'],
    ['https://user:pw@partner.example/x', 'invalid_url'],
    ['not a url', 'invalid_url'],
    ['https://nowhere.example/x', 'target_not_allowed'],
    ['http://internal.example/x', 'https_required'],
  ])('%s is refused: %s', async (url, code) => {
    expect(await refusal(url)).toBe(code);
  });

  test('the allowlist admits hosts and CIDRs on their ports, and plain http for them', async () => {
    expect(await refusal('http://127.0.0.1:8080/x', ['127.0.0.1:8080'])).toBeUndefined();
    expect(await refusal('http://localhost:8080/x', ['localhost:8000-8999'])).toBeUndefined();
    expect(await refusal('http://internal.example/x', ['10.0.0.0/8:80'])).toBeUndefined();
    expect(await refusal('https://[::ffff:127.0.0.1]/x', ['127.0.0.0/8:443'])).toBeUndefined();
    expect(await refusal('https://[::1]:8443/x', ['[::1]:8443'])).toBeUndefined();
    // One allowlisted address does not open its neighbours, nor its other ports.
    expect(await refusal('http://127.0.0.2:8080/x', ['127.0.0.1:8080'])).toBe('https_required');
    expect(await refusal('https://127.0.0.2:8080/x', ['127.0.0.1:8080'])).toBe(
      'target_not_allowed',
    );
    expect(await refusal('https://127.0.0.1/x', ['127.0.0.1:8080'])).toBe('target_not_allowed');
    expect(await refusal('http://localhost:9000/x', ['localhost:8000-8999'])).toBe(
      'https_required',
    );
    // A mixed answer is refused unless every private address is allowlisted.
    expect(await refusal('https://mixed.example/x', ['10.0.0.0/8:443'])).toBe('target_not_allowed');
  });

  test.each([
    ['127.0.0.1', /names no port/],
    ['localhost', /names no port/],
    ['::1', /brackets/],
    ['[::1]', /names no port/],
    ['127.0.0.1:0', /1–65535/],
    ['127.0.0.1:70000', /1–65535/],
    ['127.0.0.1:9000-8000', /low to high/],
    ['127.0.0.1:http', /must be a number/],
    ['10.0.0.0/33:80', /not valid/],
    ['bad_host!:80', /not a host name/],
  ])('an allowlist entry %s is refused', (entry, message) => {
    expect(() => createTargetGuard({ allowlist: [entry] })).toThrow(message);
  });

  test('allowlist entries parse to a host or range and a port range', () => {
    expect(parseAllowlistEntry('Receiver.Internal.:8443')).toEqual({
      host: 'receiver.internal',
      fromPort: 8443,
      toPort: 8443,
    });
    expect(parseAllowlistEntry('[fd00::/8]:8000-8999')).toMatchObject({
      fromPort: 8000,
      toPort: 8999,
    });
    expect(() => parseAllowlist('127.0.0.1:80,127.0.0.1')).toThrow(/^entry 2 of 2: /);
  });

  test('lookupForPort refuses a name re-pointed to a private address at connect time', async () => {
    const answers: Record<string, LookupAddress[]> = {
      'rebind.example': [{ address: '93.184.216.34', family: 4 }],
    };
    const guard = createTargetGuard({ resolve: async (h) => answers[h] ?? [] });
    await guard.check('https://rebind.example/x');
    answers['rebind.example'] = [{ address: '127.0.0.1', family: 4 }];
    const error = await new Promise<Error | null>((done) =>
      guard.lookupForPort(443)('rebind.example', { all: true }, (e) => done(e)),
    );
    expect(isTargetRefusedError(error)).toBe(true);
    answers['rebind.example'] = [{ address: '93.184.216.34', family: 4 }];
    const address = await new Promise((done) =>
      guard.lookupForPort(443)('rebind.example', {}, (_e, a) => done(a)),
    );
    expect(address).toBe('93.184.216.34');
  });

  test('DNS names are resolved through the real resolver by default', async () => {
    const guard = createTargetGuard();
    await expect(guard.check('https://localhost/x')).rejects.toMatchObject({
      code: 'target_not_allowed',
    });
  });
});
