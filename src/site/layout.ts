// The link graph laid out and drawn by Graphviz (`dot`, compiled to WebAssembly: it runs in this
// process, offline), then made accessible: the SVG is a labelled group, and every node and edge an
// image whose label says what it is. The structure Graphviz writes (a `<g id class>` followed by
// its `<title>`) is fixed by the pinned version and asserted by the tests.
import { createHash } from 'node:crypto';
import { buildId, keep, nameOf, readKept } from '../store.ts';
import type { GraphEdge, GraphNode, LinkGraph, NodeKind } from './graph.ts';

export interface GraphLayout {
  /** The SVG of a graph, ready to embed in a page. */
  svg(graph: LinkGraph): string;
}

const NODE_STYLE: Record<NodeKind, string> = {
  builds: 'fillcolor="#e7f0fa", color="#0b5cad", style="rounded,filled"',
  paused: 'fillcolor="#f2f2f2", color="#5f6670", style="rounded,filled,dashed"',
  'no-build': 'fillcolor="#fdf3dc", color="#7a4f00", style="rounded,filled"',
  outside: 'fillcolor="#ffffff", color="#5f6670", style="rounded,filled,dotted"',
};

/** After the branch on an arrow whose checkout rebuilds the build when it changes. */
export const REBUILDS = '↻';

function edgeStyle(edge: GraphEdge): string {
  const colour = edge.paused ? '#5f6670' : edge.kind === 'carbon' ? '#7a4f00' : '#0b5cad';
  const style = edge.paused ? 'dashed' : edge.kind === 'carbon' ? 'bold' : 'solid';
  return `color="${colour}", style="${style}"`;
}

/** A DOT string literal. */
function quoted(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, ' ')}"`;
}

export function toDot(graph: LinkGraph): string {
  const index = new Map(graph.nodes.map((node, at) => [node.id, at]));
  const lines = [
    'digraph links {',
    '  graph [rankdir=LR, bgcolor="transparent", nodesep=0.3, ranksep=0.9, pad=0.1, fontname="Helvetica"];',
    '  node [shape=box, fontname="Helvetica", fontsize=13, fontcolor="#1f2328", margin="0.22,0.1", penwidth=1.5];',
    '  edge [fontname="Helvetica", fontsize=11, fontcolor="#1f2328", arrowsize=0.8, penwidth=1.3];',
    ...graph.nodes.map(
      (node: GraphNode, at) =>
        `  n${at} [id="graph_node_${at}", class="${node.kind}", label=${quoted(node.label)}, ${NODE_STYLE[node.kind]}];`,
    ),
    ...graph.edges.map(
      (edge, at) =>
        `  n${index.get(edge.from)} -> n${index.get(edge.to)} [id="graph_edge_${at}", class="${edge.kind}${edge.rebuilds ? ' rebuilds' : ''}", label=${quoted(edge.rebuilds ? `${edge.branch} ${REBUILDS}` : edge.branch)}, ${edgeStyle(edge)}];`,
    ),
    '}',
  ];
  return lines.join('\n');
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Graphviz's SVG, cut to the `<svg>` element, sized in CSS pixels, with accessible names. */
export function accessibleSvg(svg: string, graph: LinkGraph): string {
  const label = (kind: 'node' | 'edge', at: number) =>
    kind === 'node' ? graph.nodes[at]?.description : graph.edges[at]?.description;
  let found = 0;
  const body = svg
    .slice(svg.indexOf('<svg'))
    .replace(/<!--[\s\S]*?-->\n?/g, '')
    // Graphviz writes every "-" as a character reference; it means the same, and reads better.
    .replace(/&#45;/g, '-')
    .replace(
      /^<svg width="([\d.]+)pt" height="([\d.]+)pt"\s+viewBox="([^"]+)"[^>]*>/,
      (_, width: string, height: string, viewBox: string) =>
        `<svg class="link-graph" width="${px(width)}" height="${px(height)}" viewBox="${viewBox}" ` +
        `xmlns="http://www.w3.org/2000/svg" role="group" aria-labelledby="graph-title">` +
        `<title id="graph-title">${escapeXml(graph.title)}</title>`,
    )
    .replace(/(<g id="graph0" class="graph"[^>]*>)\n<title>[^<]*<\/title>/, '$1')
    .replace(
      /<g id="graph_(node|edge)_(\d+)" class="([^"]*)">\n<title>[^<]*<\/title>/g,
      (_, kind: 'node' | 'edge', at: string, classes: string) => {
        const text = escapeXml(label(kind, Number(at)) ?? '');
        found++;
        return `<g id="graph-${kind}-${at}" class="${classes}" role="img" aria-label="${text}"><title>${text}</title>`;
      },
    )
    .trimEnd();
  const expected = graph.nodes.length + graph.edges.length;
  if (found !== expected)
    throw new Error(`layout: labelled ${found} of ${expected} nodes and edges in Graphviz's SVG`);
  return body;
}

function px(points: string): number {
  return Math.ceil((Number(points) * 4) / 3);
}

type Graphviz = Awaited<ReturnType<(typeof import('@hpcc-js/wasm-graphviz'))['Graphviz']['load']>>;
let loading: Promise<Graphviz> | undefined;

/** Graphviz, loaded once per process: each graph then costs a small part of the load. */
function graphviz(): Promise<Graphviz> {
  loading ??= import('@hpcc-js/wasm-graphviz').then(({ Graphviz }) => Graphviz.load());
  return loading;
}

/** Lays out any graph. */
export async function loadLayout(): Promise<GraphLayout> {
  const dot = await graphviz();
  return { svg: (graph) => accessibleSvg(dot.dot(toDot(graph)), graph) };
}

interface Kept {
  build: string;
  /** Graphviz's SVG by a hash of the DOT it was made from. */
  layouts: Record<string, string>;
}

/**
 * Lays out the graphs of a workspace, keeping Graphviz's answers by their DOT (store.ts, keyed by
 * Carbon's build and so by the Graphviz version): a rerun loads no Graphviz for graphs it drew before.
 */
export async function layoutFor(graphs: LinkGraph[], workspace: string): Promise<GraphLayout> {
  const name = `site-layouts/${nameOf(workspace)}.json`;
  const stored = keptLayouts(readKept(name));
  const used: Record<string, string> = {};
  for (const graph of graphs) {
    const dot = toDot(graph);
    const key = dotKey(dot);
    used[key] ??= stored[key] ?? (await graphviz()).dot(dot);
  }
  const build = buildId();
  const same =
    Object.keys(used).length === Object.keys(stored).length &&
    Object.keys(used).every((key) => key in stored);
  if (build !== undefined && !same)
    keep(name, JSON.stringify({ build, layouts: used } satisfies Kept));
  return {
    svg: (graph) => {
      const svg = used[dotKey(toDot(graph))];
      if (svg === undefined) throw new Error('layout: a graph that was not laid out');
      return accessibleSvg(svg, graph);
    },
  };
}

/** What an earlier run of this build kept; nothing when it is another build's, or unreadable. */
function keptLayouts(text: string | undefined): Record<string, string> {
  if (text === undefined) return {};
  try {
    const kept = JSON.parse(text) as Kept;
    return kept.build === buildId() && typeof kept.layouts === 'object' ? kept.layouts : {};
  } catch {
    return {};
  }
}

function dotKey(dot: string): string {
  return createHash('sha1').update(dot).digest('base64');
}
