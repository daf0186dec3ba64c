import type { LookupAddress } from 'node:dns';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { embeddedIpv4, formatIp, parseCidr, parseIp } from './ip.ts';
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
  test('IPv6 forms expand to 16 bytes', () => {
    expect(formatIp(parseIp('::1') as Uint8Array)).toBe('0:0:0:0:0:0:0:1');
    expect(formatIp(parseIp('[fe80::1%eth0]') as Uint8Array)).toBe('fe80:0:0:0:0:0:0:1');
    expect(formatIp(parseIp('2001:db8::') as Uint8Array)).toBe('2001:db8:0:0:0:0:0:0');
    expect(parseIp('example.com')).toBeUndefined();
  });

  test('IPv4 inside IPv6 is unwrapped', () => {
    expect(formatIp(embeddedIpv4(parseIp('::ffff:7f00:1') as Uint8Array) as Uint8Array)).toBe(
      '127.0.0.1',
    );
    expect(formatIp(embeddedIpv4(parseIp('64:ff9b::10.0.0.1') as Uint8Array) as Uint8Array)).toBe(
      '10.0.0.1',
    );
    expect(embeddedIpv4(parseIp('::1') as Uint8Array)).toBeUndefined();
  });

  test('any address survives format then parse, and every mapped private IPv4 is blocked', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        expect(parseIp(formatIp(bytes))).toEqual(bytes);
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (v4) => {
        expect(parseIp(formatIp(v4))).toEqual(v4);
        const mapped = parseIp(`::ffff:${formatIp(v4)}`) as Uint8Array;
        expect(isBlockedAddress(mapped)).toBe(isBlockedAddress(v4));
      }),
    );
  });

  test('CIDR parsing refuses nonsense', () => {
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/x')).toBeUndefined();
    expect(parseCidr('fd00::/8')?.prefix).toBe(8);
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
  ])('%s is blocked', (address) => {
    expect(isBlockedAddress(parseIp(address) as Uint8Array)).toBe(true);
  });

  test.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (address) => {
      expect(isBlockedAddress(parseIp(address) as Uint8Array)).toBe(false);
    },
  );
});

describe('TargetGuard.check', () => {
  test('public https targets pass, over IPv4 and IPv6', async () => {
    expect(await refusal('https://partner.example/hooks')).toBeUndefined();
    expect(await refusal('https://v6.partner.example/hooks')).toBeUndefined();
    expect(await refusal('https://93.184.216.34/hooks')).toBeUndefined();
  });

  test.each([
    ['https://127.0.0.1/x', 'private_address'],
    ['https://[::1]/x', 'private_address'],
    ['https://[::ffff:127.0.0.1]/x', 'private_address'],
    ['https://[::ffff:a00:1]/x', 'private_address'],
    ['https://169.254.169.254/latest/meta-data', 'private_address'],
    ['https://internal.example/x', 'private_address'],
    ['https://mixed.example/x', 'private_address'],
    ['https://mapped.example/x', 'private_address'],
    ['https://linklocal6.example/x', 'private_address'],
    ['https://localhost/x', 'private_address'],
    ['https://0x7f000001/x', 'private_address'],
    ['http://partner.example/x', 'https_required'],
    ['ftp://partner.example/x', 'invalid_url'],
    ['https://user:pw@partner.example/x', 'invalid_url'],
    ['not a url', 'invalid_url'],
    ['https://nowhere.example/x', 'unresolvable'],
  ])('%s is refused: %s', async (url, code) => {
    expect(await refusal(url)).toBe(code);
  });

  test('the allowlist admits hosts and CIDRs, and plain http for them', async () => {
    expect(await refusal('http://127.0.0.1:8080/x', ['127.0.0.1'])).toBeUndefined();
    expect(await refusal('http://localhost:8080/x', ['localhost'])).toBeUndefined();
    expect(await refusal('http://internal.example/x', ['10.0.0.0/8'])).toBeUndefined();
    expect(await refusal('https://[::ffff:127.0.0.1]/x', ['127.0.0.0/8'])).toBeUndefined();
    // One allowlisted address does not open its neighbours.
    expect(await refusal('http://127.0.0.2/x', ['127.0.0.1'])).toBe('private_address');
    // A mixed answer is refused unless every private address is allowlisted.
    expect(await refusal('https://mixed.example/x', ['10.0.0.0/8'])).toBe('private_address');
  });

  test('connectLookup refuses a name re-pointed to a private address at connect time', async () => {
    const answers: Record<string, LookupAddress[]> = {
      'rebind.example': [{ address: '93.184.216.34', family: 4 }],
    };
    const guard = createTargetGuard({ resolve: async (h) => answers[h] ?? [] });
    await guard.check('https://rebind.example/x');
    answers['rebind.example'] = [{ address: '127.0.0.1', family: 4 }];
    const error = await new Promise<Error | null>((done) =>
      guard.connectLookup('rebind.example', { all: true }, (e) => done(e)),
    );
    expect(isTargetRefusedError(error)).toBe(true);
    answers['rebind.example'] = [{ address: '93.184.216.34', family: 4 }];
    const address = await new Promise((done) =>
      guard.connectLookup('rebind.example', {}, (_e, a) => done(a)),
    );
    expect(address).toBe('93.184.216.34');
  });

  test('DNS names are resolved through the real resolver by default', async () => {
    const guard = createTargetGuard();
    await expect(guard.check('https://localhost/x')).rejects.toMatchObject({
      code: 'private_address',
    });
  });
});
