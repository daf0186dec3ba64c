/**
 * IP allowlists in the fake API (finding 18 of the server's security
 * review): the same rule as the server, without a dependency. An address or
 * CIDR entry is compared byte by byte; an IPv4-mapped IPv6 address
 * (`::ffff:127.0.0.1`) is compared as its IPv4 address, nothing else is
 * unwrapped. MSW has no socket, so the address a request comes from is the
 * fake API's `clientAddress` (default `127.0.0.1`).
 */

function ipv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^(0|[1-9]\d{0,2})$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function ipv6Bytes(text: string): number[] | undefined {
  let head = text;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    const v4 = ipv4Bytes(text.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = v4;
    // Keep a trailing `::` (`::ffff:1.2.3.4` → `::ffff`, `::1.2.3.4` → `::`), drop a lone `:`.
    const prefix = text.slice(0, lastColon + 1);
    head = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0] ?? '');
  const right = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const words = [...left, ...right];
  if (!words.every((w) => /^[0-9a-f]{1,4}$/i.test(w))) return undefined;
  const total = 8 - tail.length / 2;
  if (halves.length === 1 ? words.length !== total : words.length >= total) return undefined;
  const zeros = Array<string>(total - words.length).fill('0');
  const all = [...left, ...(halves.length === 2 ? zeros : []), ...right];
  return [
    ...all.flatMap((w) => [Number.parseInt(w, 16) >> 8, Number.parseInt(w, 16) & 255]),
    ...tail,
  ];
}

function addressBytes(text: string): number[] | undefined {
  return text.includes(':') ? ipv6Bytes(text) : ipv4Bytes(text);
}

function unmapped(bytes: number[]): number[] {
  const mapped =
    bytes.length === 16 &&
    bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 255 &&
    bytes[11] === 255;
  return mapped ? bytes.slice(12) : bytes;
}

function inRange(entry: string, address: number[]): boolean {
  const [networkText = '', prefixText] = entry.split('/');
  let network = addressBytes(networkText);
  if (!network) return false;
  let prefix = prefixText === undefined ? network.length * 8 : Number(prefixText);
  const plain = unmapped(network);
  if (plain !== network && prefix >= 96) {
    network = plain;
    prefix -= 96;
  }
  if (network.length !== address.length || !(prefix >= 0 && prefix <= network.length * 8)) {
    return false;
  }
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    const i = Math.floor(bit / 8);
    if (((network[i] ?? 0) & mask) !== ((address[i] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Whether a credential with this allowlist may be used from `address`. No
 * allowlist allows every address; an unparsable address is allowed by none.
 *
 * @example
 * addressAllowed(['127.0.0.1/32'], '::ffff:127.0.0.1'); // true
 */
export function addressAllowed(allowlist: readonly string[] | undefined, address: string): boolean {
  if (!allowlist) return true;
  const bytes = addressBytes(address.replace(/%[^%]*$/, ''));
  if (!bytes) return false;
  const candidate = unmapped(bytes);
  return allowlist.some((entry) => inRange(entry, candidate));
}
