import type { Protocol } from '../model/index.js';

export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** An inclusive port range. */
export type PortRange = readonly [number, number];

/**
 * A set of (protocol, port) pairs, kept per protocol as sorted, disjoint, non-adjacent ranges:
 * the shape every NetworkPolicy answer takes (`TCP 80, 443, 8000-8999; UDP 53`).
 */
export class PortSet {
  readonly #ranges: ReadonlyMap<Protocol, readonly PortRange[]>;

  private constructor(ranges: ReadonlyMap<Protocol, readonly PortRange[]>) {
    this.#ranges = ranges;
  }

  static readonly EMPTY = new PortSet(new Map());
  static readonly ALL = new PortSet(new Map(PROTOCOLS.map((protocol) => [protocol, [[MIN_PORT, MAX_PORT] as PortRange]])));

  static of(protocol: Protocol, from: number, to: number = from): PortSet {
    if (from > to) return PortSet.EMPTY;
    return new PortSet(new Map([[protocol, [[Math.max(MIN_PORT, from), Math.min(MAX_PORT, to)] as PortRange]]]));
  }

  /** Every port of one protocol. */
  static protocol(protocol: Protocol): PortSet {
    return PortSet.of(protocol, MIN_PORT, MAX_PORT);
  }

  ranges(protocol: Protocol): readonly PortRange[] {
    return this.#ranges.get(protocol) ?? [];
  }

  get isEmpty(): boolean {
    for (const ranges of this.#ranges.values()) if (ranges.length > 0) return false;
    return true;
  }

  get isAll(): boolean {
    return PROTOCOLS.every((protocol) => {
      const ranges = this.ranges(protocol);
      return ranges.length === 1 && ranges[0]?.[0] === MIN_PORT && ranges[0][1] === MAX_PORT;
    });
  }

  has(protocol: Protocol, port: number): boolean {
    return this.ranges(protocol).some(([from, to]) => port >= from && port <= to);
  }

  union(other: PortSet): PortSet {
    if (other.isEmpty) return this;
    if (this.isEmpty) return other;
    return PortSet.#combine(this, other, (a, b) => normalise([...a, ...b]));
  }

  intersect(other: PortSet): PortSet {
    if (this.isEmpty || other.isEmpty) return PortSet.EMPTY;
    return PortSet.#combine(this, other, (a, b) => {
      const out: PortRange[] = [];
      let i = 0;
      let j = 0;
      while (i < a.length && j < b.length) {
        const [aFrom, aTo] = a[i] as PortRange;
        const [bFrom, bTo] = b[j] as PortRange;
        const from = Math.max(aFrom, bFrom);
        const to = Math.min(aTo, bTo);
        if (from <= to) out.push([from, to]);
        if (aTo < bTo) i++;
        else j++;
      }
      return out;
    });
  }

  subtract(other: PortSet): PortSet {
    if (this.isEmpty || other.isEmpty) return this;
    return PortSet.#combine(this, other, (a, b) => {
      const out: PortRange[] = [];
      for (const [from, to] of a) {
        let start = from;
        for (const [cutFrom, cutTo] of b) {
          if (cutTo < start || cutFrom > to) continue;
          if (cutFrom > start) out.push([start, cutFrom - 1]);
          start = Math.max(start, cutTo + 1);
          if (start > to) break;
        }
        if (start <= to) out.push([start, to]);
      }
      return out;
    });
  }

  equals(other: PortSet): boolean {
    return this.toString() === other.toString();
  }

  /** `TCP 80, 443, 8000-8999; UDP 53`; `all ports` and `none` for the extremes. */
  toString(): string {
    if (this.isEmpty) return 'none';
    if (this.isAll) return 'all ports';
    return PROTOCOLS.flatMap((protocol) => {
      const ranges = this.ranges(protocol);
      if (ranges.length === 0) return [];
      if (ranges.length === 1 && ranges[0]?.[0] === MIN_PORT && ranges[0][1] === MAX_PORT) return [`${protocol} all`];
      return [`${protocol} ${ranges.map(([from, to]) => (from === to ? String(from) : `${from}-${to}`)).join(', ')}`];
    }).join('; ');
  }

  /** As data: `{TCP: [[80, 80]], UDP: [[53, 53]]}`, protocols without ports left out. */
  toJSON(): Partial<Record<Protocol, PortRange[]>> {
    const out: Partial<Record<Protocol, PortRange[]>> = {};
    for (const protocol of PROTOCOLS) {
      const ranges = this.ranges(protocol);
      if (ranges.length > 0) out[protocol] = ranges.map(([from, to]) => [from, to]);
    }
    return out;
  }

  static #combine(a: PortSet, b: PortSet, operation: (a: readonly PortRange[], b: readonly PortRange[]) => readonly PortRange[]): PortSet {
    const out = new Map<Protocol, readonly PortRange[]>();
    for (const protocol of PROTOCOLS) {
      const ranges = operation(a.ranges(protocol), b.ranges(protocol));
      if (ranges.length > 0) out.set(protocol, ranges);
    }
    return new PortSet(out);
  }
}

/** Sorts ranges and merges the ones that overlap or touch. */
const normalise = (ranges: readonly PortRange[]): PortRange[] => {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
};
