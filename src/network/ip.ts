/** IPv4 and IPv6 address ranges as sets: what `ipBlock` peers describe. */

export type Family = 4 | 6;

/** An inclusive range of addresses of one family. */
export interface IpRange {
  readonly family: Family;
  readonly from: bigint;
  readonly to: bigint;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export class CidrError extends Error {}

const parseV4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255 || (part.length > 1 && part.startsWith('0'))) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
};

const parseV6 = (text: string): bigint | undefined => {
  let address = text;
  // An embedded IPv4 tail (`::ffff:10.0.0.1`) is two groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (v4) {
    const tail = parseV4(v4[2] as string);
    if (tail === undefined) return undefined;
    address = `${v4[1]}${(tail >> 16n).toString(16)}:${(tail & 0xffffn).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0 || (halves.length === 2 && missing < 1)) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const group of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return value;
};

/**
 * `10.0.0.0/8`, `2001:db8::/32` → the range. Host bits set (`10.1.2.3/8`) are masked away, as
 * the API server reads them (ipBlock leniently, AdminNetworkPolicy networks with Go's
 * net.ParseCIDR): refusing them would drop a Deny rule and report denied traffic as allowed.
 * `maskedCidr` tells the callers that warn about it.
 */
export const parseCidr = (text: string): IpRange => {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) throw new CidrError(`${JSON.stringify(text)} is not a CIDR (address/prefix)`);
  const address = match[1] as string;
  const prefix = Number(match[2]);
  const family: Family = address.includes(':') ? 6 : 4;
  const value = family === 4 ? parseV4(address) : parseV6(address);
  if (value === undefined) throw new CidrError(`${JSON.stringify(text)}: ${JSON.stringify(address)} is not an IPv${family} address`);
  const bits = BITS[family];
  if (prefix > bits) throw new CidrError(`${JSON.stringify(text)}: prefix /${prefix} is longer than ${bits} bits`);
  const size = 1n << BigInt(bits - prefix);
  const from = value - (value % size);
  return { family, from, to: from + size - 1n };
};

/** The CIDR a text with host bits set stands for (`10.1.2.3/8` → `10.0.0.0/8`); `undefined` when none are set or it is no CIDR. */
export const maskedCidr = (text: string): string | undefined => {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match) return undefined;
  try {
    const range = parseCidr(text);
    const family = range.family;
    const exact = (family === 4 ? parseV4(match[1] as string) : parseV6(match[1] as string)) === range.from;
    return exact ? undefined : `${family === 4 ? formatV4(range.from) : formatV6(range.from)}/${match[2]}`;
  } catch {
    return undefined;
  }
};

const formatV4 = (value: bigint): string => [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');

const formatV6 = (value: bigint): string => {
  const groups = Array.from({ length: 8 }, (_, index) => ((value >> BigInt((7 - index) * 16)) & 0xffffn).toString(16));
  // Shorten the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === '0') length++;
    if (length > bestLength) {
      best = start;
      bestLength = length;
    }
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLength).join(':')}`;
};

/** A range as the fewest CIDR blocks that cover exactly it. */
export const rangeToCidrs = (range: IpRange): string[] => {
  const bits = BigInt(BITS[range.family]);
  const out: string[] = [];
  let start = range.from;
  while (start <= range.to) {
    let size = 1n;
    let prefix = bits;
    while (prefix > 0n && start % (size * 2n) === 0n && start + size * 2n - 1n <= range.to) {
      size *= 2n;
      prefix--;
    }
    out.push(`${range.family === 4 ? formatV4(start) : formatV6(start)}/${prefix}`);
    start += size;
  }
  return out;
};

/** A set of addresses: sorted, disjoint, non-adjacent ranges per family. */
export class IpSet {
  readonly ranges: readonly IpRange[];

  constructor(ranges: readonly IpRange[]) {
    const sorted = [...ranges].sort((a, b) => a.family - b.family || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
    const out: IpRange[] = [];
    for (const range of sorted) {
      const last = out.at(-1);
      if (last && last.family === range.family && range.from <= last.to + 1n) out[out.length - 1] = { ...last, to: range.to > last.to ? range.to : last.to };
      else out.push(range);
    }
    this.ranges = out;
  }

  static readonly EMPTY = new IpSet([]);
  static readonly ALL = new IpSet([
    { family: 4, from: 0n, to: (1n << 32n) - 1n },
    { family: 6, from: 0n, to: (1n << 128n) - 1n },
  ]);

  /** `ipBlock`: the CIDR minus its exceptions. */
  static block(cidr: string, except: readonly string[] = []): IpSet {
    return new IpSet([parseCidr(cidr)]).subtract(new IpSet(except.map(parseCidr)));
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  union(other: IpSet): IpSet {
    return other.isEmpty ? this : this.isEmpty ? other : new IpSet([...this.ranges, ...other.ranges]);
  }

  subtract(other: IpSet): IpSet {
    if (other.isEmpty || this.isEmpty) return this;
    const out: IpRange[] = [];
    for (const range of this.ranges) {
      let start = range.from;
      for (const cut of other.ranges) {
        if (cut.family !== range.family || cut.to < start || cut.from > range.to) continue;
        if (cut.from > start) out.push({ family: range.family, from: start, to: cut.from - 1n });
        start = cut.to + 1n;
        if (start > range.to) break;
      }
      if (start <= range.to) out.push({ family: range.family, from: start, to: range.to });
    }
    return new IpSet(out);
  }

  intersect(other: IpSet): IpSet {
    return this.subtract(this.subtract(other));
  }

  equals(other: IpSet): boolean {
    return (
      this.ranges.length === other.ranges.length &&
      this.ranges.every((range, index) => {
        const theirs = other.ranges[index];
        return theirs !== undefined && theirs.family === range.family && theirs.from === range.from && theirs.to === range.to;
      })
    );
  }

  toCidrs(): string[] {
    return this.ranges.flatMap(rangeToCidrs);
  }

  /**
   * The set in few words: CIDRs, or per family `0.0.0.0/0 except ...` when the complement is the
   * shorter list (`0.0.0.0/0 except 10.0.0.0/8, 172.16.0.0/12` rather than 30 blocks).
   */
  toString(): string {
    const parts: string[] = [];
    for (const family of [4, 6] as const) {
      const whole = new IpSet([{ family, from: 0n, to: family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n }]);
      const mine = this.intersect(whole);
      if (mine.isEmpty) continue;
      const cidrs = mine.toCidrs();
      const missing = whole.subtract(mine).toCidrs();
      const all = family === 4 ? '0.0.0.0/0' : '::/0';
      parts.push(missing.length === 0 ? all : missing.length < cidrs.length ? `${all} except ${missing.join(', ')}` : cidrs.join(', '));
    }
    return parts.join('; ');
  }
}

const compare = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The fewest disjoint address sets such that each given set holds every one of them whole or not
 * at all (addresses in none of the given sets are left out).
 */
export const partitionAddresses = (sets: readonly IpSet[]): IpSet[] => {
  const atoms: { range: IpRange; members: string }[] = [];
  for (const family of [4, 6] as const) {
    const top = family === 4 ? (1n << 32n) - 1n : (1n << 128n) - 1n;
    const cuts = new Set<bigint>([0n]);
    for (const set of sets) {
      for (const range of set.ranges) {
        if (range.family !== family) continue;
        cuts.add(range.from);
        if (range.to < top) cuts.add(range.to + 1n);
      }
    }
    const starts = [...cuts].sort(compare);
    starts.forEach((from, index) => {
      const to = index + 1 < starts.length ? (starts[index + 1] as bigint) - 1n : top;
      const contains = (set: IpSet): boolean => set.ranges.some((range) => range.family === family && range.from <= from && range.to >= from);
      const members = sets
        .map((set, position) => (contains(set) ? String(position) : ''))
        .filter(Boolean)
        .join(',');
      if (members !== '') atoms.push({ range: { family, from, to }, members });
    });
  }
  // Ranges (of either family) that the same sets hold are one part.
  const byMembers = new Map<string, IpRange[]>();
  for (const { range, members } of atoms) byMembers.set(members, [...(byMembers.get(members) ?? []), range]);
  return [...byMembers.values()].map((ranges) => new IpSet(ranges));
};
