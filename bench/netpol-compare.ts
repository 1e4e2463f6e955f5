/**
 * Normalises two connectivity maps, Kubeward's (`netpol map --format json`) and np-guard's
 * network-config-analyzer's (`nca --connectivity ... --output_format txt_no_fw_rules`), to one
 * set of facts and compares them. A fact is `source -> destination protocol ports`: source and
 * destination are workloads (`namespace/Kind/name`) or address ranges (`first-last`), ports a
 * maximal range. Address ranges are made canonical per workload and direction (the address axis
 * split where the allowed ports change, adjacent ranges with the same ports merged), so the two
 * tools' different splits of the same addresses (one entity with eight CIDRs against two ranges)
 * give the same facts. Only TCP, UDP and SCTP are compared: the protocols NetworkPolicy ports name
 * (NCA also models ICMP and every other IP protocol, which "All connections" includes).
 *
 * Independent of Kubeward's engine on purpose: the intervals here are computed anew.
 */

export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
type Range = readonly [number, number];
/** Sorted, disjoint, non-adjacent port ranges per protocol. */
export type Ports = ReadonlyMap<Protocol, readonly Range[]>;
interface AddressRange {
  readonly family: 4 | 6;
  readonly first: bigint;
  readonly last: bigint;
}

const MIN_PORT = 1;
const MAX_PORT = 65535;
const ALL_PORTS: Ports = new Map(PROTOCOLS.map((protocol) => [protocol, [[MIN_PORT, MAX_PORT] as Range]]));

const mergeRanges = (ranges: readonly Range[]): Range[] => {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = out.at(-1);
    if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
};

const subtractRanges = (ranges: readonly Range[], minus: readonly Range[]): Range[] => {
  let out: Range[] = [...ranges];
  for (const [from, to] of minus) {
    out = out.flatMap(([a, b]): Range[] => {
      if (to < a || from > b) return [[a, b]];
      return [...(a < from ? [[a, from - 1] as Range] : []), ...(to < b ? [[to + 1, b] as Range] : [])];
    });
  }
  return out;
};

const unionPorts = (a: Ports, b: Ports): Ports =>
  new Map(
    PROTOCOLS.map((protocol) => [protocol, mergeRanges([...(a.get(protocol) ?? []), ...(b.get(protocol) ?? [])])] as const).filter(
      ([, ranges]) => ranges.length > 0,
    ),
  );

const isEmpty = (ports: Ports): boolean => PROTOCOLS.every((protocol) => !ports.get(protocol)?.length);

export const portsText = (ports: Ports): string =>
  PROTOCOLS.filter((protocol) => ports.get(protocol)?.length)
    .map((protocol) => `${protocol} ${(ports.get(protocol) ?? []).map(([from, to]) => (from === to ? `${from}` : `${from}-${to}`)).join(', ')}`)
    .join('; ') || 'none';

// ---- addresses ----

const parseIPv4 = (text: string): bigint | undefined => {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return undefined;
  return parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n);
};

const parseIPv6 = (text: string): bigint | undefined => {
  if (!text.includes(':')) return undefined;
  const [head = '', tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const groups = (part: string): string[] => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || missing < 0) return undefined;
  const all = [...left, ...Array<string>(missing).fill('0'), ...right];
  if (!all.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return all.reduce((value, group) => (value << 16n) | BigInt(`0x${group}`), 0n);
};

const parseAddress = (text: string): { family: 4 | 6; value: bigint } | undefined => {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
};

/** `10.0.0.0/8`, `1.2.3.4`, `0.0.0.0-9.255.255.255` (and the IPv6 forms). */
export const parseAddressRange = (text: string): AddressRange | undefined => {
  const dash = text.indexOf('-');
  if (dash > 0) {
    const first = parseAddress(text.slice(0, dash));
    const last = parseAddress(text.slice(dash + 1));
    return first && last && first.family === last.family ? { family: first.family, first: first.value, last: last.value } : undefined;
  }
  const [address = '', prefix] = text.split('/');
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const bits = parsed.family === 4 ? 32n : 128n;
  const length = prefix === undefined ? bits : BigInt(prefix);
  const host = (1n << (bits - length)) - 1n;
  return { family: parsed.family, first: parsed.value & ~host, last: (parsed.value & ~host) | host };
};

const addressText = (family: 4 | 6, value: bigint): string => {
  if (family === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, index) => ((value >> BigInt(112 - 16 * index)) & 0xffffn).toString(16));
  // RFC 5952: the longest run of two or more zero groups becomes `::`.
  let best = { start: -1, length: 1 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (groups[start + length] === '0') length++;
    if (length > best.length) best = { start, length };
  }
  if (best.start < 0) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
};
const rangeText = (range: AddressRange): string => `${addressText(range.family, range.first)}-${addressText(range.family, range.last)}`;

/** What one tool allows: between workloads, and between workloads and address ranges. */
export class Connectivity {
  /** `from\tto` -> ports, workloads only. */
  readonly pairs = new Map<string, Ports>();
  /** `workload\tegress|ingress` -> (address range, ports) boxes, in any split. */
  readonly external = new Map<string, { range: AddressRange; ports: Ports }[]>();

  addPair(from: string, to: string, ports: Ports): void {
    if (isEmpty(ports)) return;
    const key = `${from}\t${to}`;
    const known = this.pairs.get(key);
    this.pairs.set(key, known ? unionPorts(known, ports) : ports);
  }

  addExternal(workload: string, direction: 'egress' | 'ingress', range: AddressRange, ports: Ports): void {
    if (isEmpty(ports)) return;
    const key = `${workload}\t${direction}`;
    const boxes = this.external.get(key) ?? [];
    boxes.push({ range, ports });
    this.external.set(key, boxes);
  }

  /** Every fact, keyed by its pair (`from -> to`), each pair's ports as one canonical text. */
  facts(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, ports] of this.pairs) {
      const [from = '', to = ''] = key.split('\t');
      out.set(`${from} -> ${to}`, portsText(ports));
    }
    for (const [key, boxes] of this.external) {
      const [workload = '', direction = ''] = key.split('\t');
      for (const family of [4, 6] as const) {
        const mine = boxes.filter((box) => box.range.family === family);
        if (mine.length === 0) continue;
        // Split the address axis at every box boundary, then merge neighbours with equal ports.
        const cuts = [...new Set(mine.flatMap((box) => [box.range.first, box.range.last + 1n]))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        let open: { first: bigint; last: bigint; text: string } | undefined;
        const flush = (): void => {
          if (!open) return;
          const range = rangeText({ family, first: open.first, last: open.last });
          out.set(direction === 'egress' ? `${workload} -> ${range}` : `${range} -> ${workload}`, open.text);
          open = undefined;
        };
        for (let index = 0; index + 1 < cuts.length; index++) {
          const first = cuts[index] as bigint;
          const last = (cuts[index + 1] as bigint) - 1n;
          const covering = mine.filter((box) => box.range.first <= first && box.range.last >= last);
          const text = covering.length ? portsText(covering.reduce<Ports>((ports, box) => unionPorts(ports, box.ports), new Map())) : '';
          if (open && text === open.text && open.last + 1n === first) {
            open.last = last;
            continue;
          }
          flush();
          if (text) open = { first, last, text };
        }
        flush();
      }
    }
    return out;
  }
}

// ---- Kubeward ----

export interface KubewardMap {
  readonly workloads: readonly { id: string }[];
  readonly entities: readonly { id: string; cidrs: readonly string[] }[];
  readonly connections: readonly { from: string; to: string; ports: Partial<Record<string, readonly Range[]>> }[];
}

export interface Normalised {
  readonly connectivity: Connectivity;
  /** Connections set aside from the comparison, by reason, with a few examples. */
  readonly setAside: Record<string, { count: number; examples: string[] }>;
  readonly unparsed: string[];
}

const setAside = (record: Record<string, { count: number; examples: string[] }>, reason: string, example: string): void => {
  const entry = (record[reason] ??= { count: 0, examples: [] });
  entry.count++;
  if (entry.examples.length < 3) entry.examples.push(example);
};

export const fromKubeward = (map: KubewardMap): Normalised => {
  const connectivity = new Connectivity();
  const aside: Normalised['setAside'] = {};
  const unparsed: string[] = [];
  const entities = new Map(map.entities.map((entity) => [entity.id, entity.cidrs]));
  for (const connection of map.connections) {
    const ports: Ports = new Map(
      PROTOCOLS.map((protocol) => [protocol, mergeRanges(connection.ports[protocol] ?? [])] as const).filter(([, ranges]) => ranges.length > 0),
    );
    const fromCidrs = entities.get(connection.from);
    const toCidrs = entities.get(connection.to);
    if (!fromCidrs && !toCidrs) {
      if (connection.from === connection.to) setAside(aside, 'selfConnection', `${connection.from} -> ${connection.to}: ${portsText(ports)}`);
      else connectivity.addPair(connection.from, connection.to, ports);
      continue;
    }
    const [workload, cidrs, direction] = fromCidrs ? [connection.to, fromCidrs, 'ingress' as const] : [connection.from, toCidrs ?? [], 'egress' as const];
    for (const cidr of cidrs) {
      const range = parseAddressRange(cidr);
      if (range) connectivity.addExternal(workload, direction, range, ports);
      else unparsed.push(`${connection.from} -> ${connection.to}: ${cidr}`);
    }
  }
  return { connectivity, setAside: aside, unparsed };
};

// ---- network-config-analyzer ----

const CUBE_KEYS = ['protocols', 'src_ports', 'dst_ports', 'icmp_type', 'icmp_code', 'methods', 'paths', 'hosts'];

/** One cube `{protocols:TCP, UDP,dst_ports:53,8000-8999}` (either dimension may be missing: all). */
const parseCube = (cube: string): Ports | undefined => {
  const fields = new Map<string, string>();
  for (const field of cube.split(new RegExp(`,(?=(?:${CUBE_KEYS.join('|')}):)`))) {
    const colon = field.indexOf(':');
    if (colon < 0) return undefined;
    fields.set(field.slice(0, colon).trim(), field.slice(colon + 1).trim());
  }
  // ICMP types and codes concern no protocol compared here; source ports, HTTP methods, paths and
  // hosts never come from a NetworkPolicy.
  if ([...fields.keys()].some((key) => key.startsWith('icmp_'))) return new Map();
  if ([...fields.keys()].some((key) => key !== 'protocols' && key !== 'dst_ports')) return undefined;
  const protocolText = fields.get('protocols');
  let protocols: Protocol[] = [...PROTOCOLS];
  if (protocolText !== undefined) {
    const complement = protocolText.startsWith('all but ');
    const names = (complement ? protocolText.slice('all but '.length) : protocolText).split(',').map((name) => name.trim());
    protocols = complement ? PROTOCOLS.filter((protocol) => !names.includes(protocol)) : PROTOCOLS.filter((protocol) => names.includes(protocol));
  }
  const portText = fields.get('dst_ports');
  const ranges: Range[] =
    portText === undefined
      ? [[MIN_PORT, MAX_PORT]]
      : portText.split(',').map((part): Range => {
          const [from = '', to = from] = part.trim().split('-');
          return [Number(from), Number(to)];
        });
  if (ranges.some(([from, to]) => !Number.isInteger(from) || !Number.isInteger(to))) return undefined;
  return new Map(protocols.map((protocol) => [protocol, mergeRanges(ranges)] as const));
};

/** NCA's connection text: `All connections`, `All but {...}`, `{...},{...}`. */
export const parseNcaConnection = (text: string): Ports | undefined => {
  if (text === 'All connections') return ALL_PORTS;
  if (text === 'No connections') return new Map();
  if (text.startsWith('All but ')) {
    const complement = parseNcaConnection(text.slice('All but '.length));
    if (!complement) return undefined;
    return new Map(
      PROTOCOLS.map((protocol) => [protocol, subtractRanges([[MIN_PORT, MAX_PORT]], complement.get(protocol) ?? [])] as const).filter(
        ([, ranges]) => ranges.length > 0,
      ),
    );
  }
  const cubes = [...text.matchAll(/\{([^}]*)\}/g)].map((match) => match[1] ?? '');
  if (cubes.length === 0) return undefined;
  let ports: Ports = new Map();
  for (const cube of cubes) {
    const parsed = parseCube(cube);
    if (!parsed) return undefined;
    ports = unionPorts(ports, parsed);
  }
  return ports;
};

/** `ns/name[Deployment]` -> `ns/Deployment/name`; a bare pod `ns/name` -> `ns/Pod/name`; else an address range. */
const ncaEndpoint = (text: string): { workload: string } | { range: AddressRange[] } | undefined => {
  const workload = /^([^/\s]+)\/([^[\s]+)\[([A-Za-z]+)\]$/.exec(text);
  if (workload) return { workload: `${workload[1]}/${workload[3]}/${workload[2]}` };
  const ranges = text.split(',').map((part) => parseAddressRange(part.trim()));
  if (ranges.every((range) => range !== undefined)) return { range: ranges as AddressRange[] };
  const pod = /^([^/\s]+)\/([^/\s]+)$/.exec(text);
  return pod ? { workload: `${pod[1]}/Pod/${pod[2]}` } : undefined;
};

/**
 * Lines `source => destination : connection` of `--output_format txt_no_fw_rules`. Endpoints NCA
 * invents for resources the input lacks (`kube-system/kube-dns-livesim`: "adding complementary
 * kube-dns elements") are set aside.
 */
export const fromNca = (text: string): Normalised => {
  const connectivity = new Connectivity();
  const aside: Normalised['setAside'] = {};
  const unparsed: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\S+) => (\S+) : (.+)$/.exec(line.trim());
    if (!match) {
      if (line.trim() && !/Connections:$/.test(line.trim())) unparsed.push(line);
      continue;
    }
    const [, fromText = '', toText = '', connectionText = ''] = match;
    if (/-livesim\[/.test(fromText) || /-livesim\[/.test(toText)) {
      setAside(aside, 'ncaSimulatedEndpoint', line.trim());
      continue;
    }
    const from = ncaEndpoint(fromText);
    const to = ncaEndpoint(toText);
    const ports = parseNcaConnection(connectionText);
    if (!from || !to || !ports) {
      unparsed.push(line);
      continue;
    }
    if ('workload' in from && 'workload' in to) {
      if (from.workload === to.workload) setAside(aside, 'selfConnection', line.trim());
      else connectivity.addPair(from.workload, to.workload, ports);
    } else if ('workload' in from && 'range' in to) {
      for (const range of to.range) connectivity.addExternal(from.workload, 'egress', range, ports);
    } else if ('range' in from && 'workload' in to) {
      for (const range of from.range) connectivity.addExternal(to.workload, 'ingress', range, ports);
    } else {
      unparsed.push(line);
    }
  }
  return { connectivity, setAside: aside, unparsed };
};

// ---- comparison ----

export interface Disagreement {
  readonly pair: string;
  readonly kubeward: string;
  readonly nca: string;
}

export const compareConnectivity = (kubeward: Connectivity, nca: Connectivity, examples = 5) => {
  const ours = kubeward.facts();
  const theirs = nca.facts();
  const onlyKubeward: Disagreement[] = [];
  const onlyNca: Disagreement[] = [];
  const portsDiffer: Disagreement[] = [];
  let agree = 0;
  for (const [pair, ports] of ours) {
    const other = theirs.get(pair);
    if (other === undefined) onlyKubeward.push({ pair, kubeward: ports, nca: 'none' });
    else if (other === ports) agree++;
    else portsDiffer.push({ pair, kubeward: ports, nca: other });
  }
  for (const [pair, ports] of theirs) if (!ours.has(pair)) onlyNca.push({ pair, kubeward: 'none', nca: ports });
  const sample = (list: Disagreement[]) => ({ count: list.length, examples: list.slice(0, examples) });
  return {
    pairs: { kubeward: ours.size, nca: theirs.size, agree },
    onlyKubeward: sample(onlyKubeward),
    onlyNca: sample(onlyNca),
    portsDiffer: sample(portsDiffer),
    disagreements: onlyKubeward.length + onlyNca.length + portsDiffer.length,
  };
};

/**
 * Connections between different pods of one workload. NCA's txt_no_fw_rules output drops every
 * line whose two ends carry the same name, so they are compared on a second run with
 * `--output_endpoints pods` over workloads of two replicas (NCA models at most two pods per
 * workload, `name-1` and `name-2`): lines `ns/name-1 => ns/name-2`. Kubeward's are its
 * `workload -> same workload` connections. Workloads are keyed `namespace/name`.
 */
export const compareSelfConnections = (kubeward: KubewardMap, ncaPods: string, examples = 5) => {
  const ours = new Map<string, Ports>();
  for (const connection of kubeward.connections) {
    if (connection.from !== connection.to) continue;
    const [namespace = '', , name = ''] = connection.from.split('/');
    ours.set(
      `${namespace}/${name}`,
      new Map(PROTOCOLS.map((protocol) => [protocol, mergeRanges(connection.ports[protocol] ?? [])] as const).filter(([, ranges]) => ranges.length > 0)),
    );
  }
  const theirs = new Map<string, Ports>();
  for (const line of ncaPods.split('\n')) {
    const match = /^(\S+)-(\d+) => (\S+)-(\d+) : (.+)$/.exec(line.trim());
    if (!match || match[1] !== match[3] || match[2] === match[4]) continue;
    const ports = parseNcaConnection(match[5] ?? '');
    if (!ports) continue;
    const workload = match[1] ?? '';
    const known = theirs.get(workload);
    theirs.set(workload, known ? unionPorts(known, ports) : ports);
  }
  const disagreements: Disagreement[] = [];
  let agree = 0;
  for (const workload of new Set([...ours.keys(), ...theirs.keys()])) {
    const kubewardText = ours.has(workload) ? portsText(ours.get(workload) ?? new Map()) : 'none';
    const ncaText = theirs.has(workload) ? portsText(theirs.get(workload) ?? new Map()) : 'none';
    if (kubewardText === ncaText) agree++;
    else disagreements.push({ pair: `${workload} -> ${workload}`, kubeward: kubewardText, nca: ncaText });
  }
  return { kubeward: ours.size, nca: theirs.size, agree, disagreements: disagreements.length, examples: disagreements.slice(0, examples) };
};
