import { largest, REPORT_SCHEMA_VERSIONS } from '../../model/index.js';
import type { NetworkDiff, NetworkMap } from '../../network/index.js';
import type { NetworkDiffFormat, NetworkMapFormat } from './names.js';
import type { Renderer, RendererRegistry } from '../renderer.js';

export { NETWORK_DIFF_FORMATS, NETWORK_MAP_FORMATS, type NetworkDiffFormat, type NetworkMapFormat } from './names.js';

export const NETWORK_MAP_SCHEMA_VERSION = REPORT_SCHEMA_VERSIONS.networkMap;

/** A network map's output format: a pure function from the map to text. */
export type NetworkMapRenderer = Renderer<NetworkMap> & { readonly render: (map: NetworkMap) => string };

type Edge = { readonly from: string; readonly to: string; readonly ports: { toString(): string } };

const edgesOf = (map: NetworkMap): Edge[] => [...map.connections, ...map.externalConnections];

const csvCell = (text: string): string => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const mdCell = (text: string): string => text.replace(/\|/g, '\\|');
const dotId = (text: string): string => JSON.stringify(text);

const txt: NetworkMapRenderer = {
  name: 'txt',
  description: 'one line per allowed connection, then isolation, exposure and problems',
  render(map) {
    const lines: string[] = [];
    const widthOf = (edges: readonly Edge[]): number =>
      Math.min(
        60,
        largest(
          edges.map((edge) => edge.from.length),
          0,
        ),
      );
    lines.push(
      `${map.workloads.length} workloads, ${map.connections.length} connections between them, ${map.entities.length} external ranges, ${map.externalConnections.length} connections with them`,
    );
    if (map.connections.length > 0) lines.push('', 'Between workloads');
    const inner = widthOf(map.connections);
    for (const edge of map.connections) lines.push(`  ${edge.from.padEnd(inner)}  ->  ${edge.to}  ${edge.ports.toString()}`);
    if (map.externalConnections.length > 0) lines.push('', 'With external addresses');
    const outer = widthOf(map.externalConnections);
    for (const edge of map.externalConnections) lines.push(`  ${edge.from.padEnd(outer)}  ->  ${edge.to}  ${edge.ports.toString()}`);
    const { summary } = map;
    lines.push('', 'Summary');
    lines.push(
      `  no ingress isolation (any pod and address may connect): ${summary.noIngressIsolation.length ? summary.noIngressIsolation.join(', ') : 'none'}`,
    );
    lines.push(`  no egress isolation (may connect anywhere): ${summary.noEgressIsolation.length ? summary.noEgressIsolation.join(', ') : 'none'}`);
    lines.push(`  reachable from outside the cluster: ${summary.exposed.length ? '' : 'none'}`);
    for (const exposure of summary.exposed) lines.push(`    ${exposure.workload} through ${exposure.via}`);
    if (map.graph) {
      const denied = map.graph.edges.filter((edge) => !edge.denied.isEmpty);
      const unused = map.graph.edges.filter((edge) => !edge.unused.isEmpty);
      lines.push('', `Observed flows: ${denied.length} pairs seen but not allowed, ${unused.length} pairs allowed beyond what was seen`);
      for (const edge of denied) lines.push(`  denied  ${edge.from}  ->  ${edge.to}  ${edge.denied.toString()}`);
    }
    if (map.problems.length > 0) {
      lines.push('', 'Problems');
      for (const problem of map.problems) lines.push(`  NetworkPolicy ${problem.policy} ${problem.path}: ${problem.message}`);
    }
    return `${lines.join('\n')}\n`;
  },
};

const json: NetworkMapRenderer = {
  name: 'json',
  description: 'the map as data (see docs/network.md)',
  render(map) {
    return `${JSON.stringify(
      {
        schemaVersion: NETWORK_MAP_SCHEMA_VERSION,
        workloads: map.workloads.map((workload) => ({
          id: workload.id,
          namespace: workload.namespace,
          kind: workload.kind,
          name: workload.name,
          labels: workload.labels,
          ports: workload.ports,
          hostNetwork: workload.hostNetwork,
        })),
        entities: map.entities.map((entity) => ({ id: entity.id, cidrs: entity.addresses.toCidrs() })),
        connections: edgesOf(map).map((edge) => ({
          from: edge.from,
          to: edge.to,
          ports: (edge.ports as { toJSON(): unknown }).toJSON(),
          text: edge.ports.toString(),
        })),
        summary: map.summary,
        problems: map.problems,
        ...(map.graph
          ? {
              graph: {
                nodes: map.graph.nodes,
                edges: map.graph.edges.map((edge) => ({
                  from: edge.from,
                  to: edge.to,
                  allowed: edge.allowed.toString(),
                  observed: edge.observed.toString(),
                  unused: edge.unused.toString(),
                  denied: edge.denied.toString(),
                })),
              },
            }
          : {}),
      },
      null,
      2,
    )}\n`;
  },
};

const csv: NetworkMapRenderer = {
  name: 'csv',
  description: 'from,to,ports rows',
  render: (map) =>
    `from,to,ports\n${edgesOf(map)
      .map((edge) => [edge.from, edge.to, edge.ports.toString()].map(csvCell).join(','))
      .join('\n')}${edgesOf(map).length ? '\n' : ''}`,
};

const md: NetworkMapRenderer = {
  name: 'md',
  description: 'a Markdown table of connections, then the summary',
  render(map) {
    const lines = [
      '| from | to | ports |',
      '|---|---|---|',
      ...edgesOf(map).map((edge) => `| ${mdCell(edge.from)} | ${mdCell(edge.to)} | ${mdCell(edge.ports.toString())} |`),
    ];
    lines.push(
      '',
      `- No ingress isolation: ${map.summary.noIngressIsolation.join(', ') || 'none'}`,
      `- No egress isolation: ${map.summary.noEgressIsolation.join(', ') || 'none'}`,
    );
    lines.push(`- Reachable from outside: ${map.summary.exposed.map((exposure) => `${exposure.workload} (${exposure.via})`).join(', ') || 'none'}`);
    return `${lines.join('\n')}\n`;
  },
};

const dot: NetworkMapRenderer = {
  name: 'dot',
  description: 'Graphviz: workloads clustered by namespace, external ranges as boxes, edges labelled with ports',
  render(map) {
    const lines = ['digraph connectivity {', '  rankdir=LR;', '  node [shape=ellipse, fontsize=10];', '  edge [fontsize=9];'];
    const namespaces = [...new Set(map.workloads.map((workload) => workload.namespace))].sort();
    namespaces.forEach((namespace, index) => {
      lines.push(`  subgraph cluster_${index} {`, `    label=${dotId(namespace)};`);
      for (const workload of map.workloads.filter((candidate) => candidate.namespace === namespace))
        lines.push(`    ${dotId(workload.id)} [label=${dotId(`${workload.kind}/${workload.name}`)}];`);
      lines.push('  }');
    });
    for (const entity of map.entities)
      lines.push(
        `  ${dotId(entity.id)} [shape=box, label=${dotId(entity.addresses.toCidrs().slice(0, 4).join('\n') + (entity.addresses.toCidrs().length > 4 ? '\n…' : ''))}];`,
      );
    for (const edge of edgesOf(map)) lines.push(`  ${dotId(edge.from)} -> ${dotId(edge.to)} [label=${dotId(edge.ports.toString())}];`);
    lines.push('}');
    return `${lines.join('\n')}\n`;
  },
};

export const NETWORK_MAP_RENDERERS = { txt, json, csv, md, dot } as const satisfies RendererRegistry<NetworkMap, NetworkMapFormat>;

/** A connectivity diff's output format. */
export type NetworkDiffRenderer = Renderer<NetworkDiff> & { readonly render: (diff: NetworkDiff) => string };

const diffTxt: NetworkDiffRenderer = {
  name: 'txt',
  description: 'one line per connection that changes',
  render(diff) {
    const lines: string[] = [];
    const count = (kind: string): number => diff.changes.filter((change) => change.change === kind).length;
    lines.push(
      diff.changes.length === 0
        ? 'No change in connectivity'
        : `${diff.changes.length} connections change: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`,
    );
    for (const change of diff.changes) {
      const sign = change.change === 'added' ? '+' : change.change === 'removed' ? '-' : '~';
      const detail =
        change.change === 'changed'
          ? `${change.before.toString()} → ${change.after.toString()}${change.opened.isEmpty ? '' : ` (opens ${change.opened.toString()})`}${change.closed.isEmpty ? '' : ` (closes ${change.closed.toString()})`}`
          : (change.change === 'added' ? change.after : change.before).toString();
      lines.push(`${sign} ${change.from}  ->  ${change.to}  ${detail}`);
    }
    if (diff.onlyBefore.length) lines.push('', `Workloads removed (not compared): ${diff.onlyBefore.join(', ')}`);
    if (diff.onlyAfter.length) lines.push('', `Workloads added (not compared): ${diff.onlyAfter.join(', ')}`);
    return `${lines.join('\n')}\n`;
  },
};

const diffJson: NetworkDiffRenderer = {
  name: 'json',
  description: 'the changes as data (see docs/network.md)',
  render: (diff) =>
    `${JSON.stringify(
      {
        schemaVersion: NETWORK_MAP_SCHEMA_VERSION,
        changes: diff.changes.map((change) => ({
          from: change.from,
          to: change.to,
          change: change.change,
          before: change.before.toString(),
          after: change.after.toString(),
          opened: change.opened.toString(),
          closed: change.closed.toString(),
        })),
        onlyBefore: diff.onlyBefore,
        onlyAfter: diff.onlyAfter,
      },
      null,
      2,
    )}\n`,
};

const diffMd: NetworkDiffRenderer = {
  name: 'md',
  description: 'a Markdown table, for pull request comments',
  render: (diff) =>
    `${['| change | from | to | before | after |', '|---|---|---|---|---|', ...diff.changes.map((change) => `| ${change.change} | ${mdCell(change.from)} | ${mdCell(change.to)} | ${mdCell(change.before.toString())} | ${mdCell(change.after.toString())} |`)].join('\n')}\n`,
};

export const NETWORK_DIFF_RENDERERS = { txt: diffTxt, json: diffJson, md: diffMd } as const satisfies RendererRegistry<NetworkDiff, NetworkDiffFormat>;
