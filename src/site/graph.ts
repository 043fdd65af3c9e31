// The link graph of a project as plain data: one node per repository (and per carbon repository
// that lives beside the project without being one of its repositories), one edge per checkout a
// build makes: its carbon repository and each linked repository, marked when a push to what it
// checks out rebuilds the build (a cascade).
import type { ResolvedProject } from '../resolve/model.ts';

export type NodeKind = 'builds' | 'paused' | 'no-build' | 'outside';

export interface GraphNode {
  /** Repository id. */
  id: string;
  label: string;
  kind: NodeKind;
  /** What the node says to a screen reader or on hover. */
  description: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  branch: string;
  kind: 'carbon' | 'linked';
  /** The build that makes this checkout is disabled. */
  paused: boolean;
  /** A push to this branch of `to` rebuilds the build (a cascade). */
  rebuilds: boolean;
  description: string;
}

export interface LinkGraph {
  title: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export function linkGraph(project: ResolvedProject): LinkGraph {
  const names = new Map(project.repositories.map((repository) => [repository.id, repository.name]));
  const nodes: GraphNode[] = project.repositories.map((repository) => {
    const build = repository.build;
    const kind: NodeKind = !build ? 'no-build' : build.enabled ? 'builds' : 'paused';
    const what =
      kind === 'builds'
        ? `builds on pushes to ${build!.branch}`
        : kind === 'paused'
          ? `build on ${build!.branch} paused`
          : 'not built itself';
    return {
      id: repository.id,
      label: repository.name,
      kind,
      description: `${repository.name} (${repository.id}): ${what}`,
    };
  });
  const edges: GraphEdge[] = [];
  for (const repository of project.repositories) {
    const build = repository.build;
    if (!build) continue;
    const paused = !build.enabled;
    const edge = (to: string, branch: string, kind: GraphEdge['kind']): GraphEdge => {
      const role = kind === 'carbon' ? ', its carbon repository' : '';
      const rebuilds = build.rebuiltBy.some((source) => source.repository === to);
      return {
        from: repository.id,
        to,
        branch,
        kind,
        paused,
        rebuilds,
        description: `${repository.name}${paused ? ' (build paused)' : ''} checks out ${names.get(to) ?? to} at ${branch}${role}${rebuilds ? `; a push there rebuilds it` : ''}`,
      };
    };
    edges.push(edge(build.carbon.repository, build.carbon.branch, 'carbon'));
    for (const linked of build.linked) edges.push(edge(linked.repository, linked.branch, 'linked'));
  }
  for (const edge of edges) {
    if (names.has(edge.to) || nodes.some((node) => node.id === edge.to)) continue;
    nodes.push({
      id: edge.to,
      label: edge.to,
      kind: 'outside',
      description: `${edge.to}: a repository beside the project, not in its settings`,
    });
  }
  return {
    title: `Link graph of ${project.name}: ${nodes.length} repositories, ${edges.length} checkouts`,
    nodes,
    edges,
  };
}
