// A repository renamed in the settings gets new AWS names by convention (ECR repository, ECS
// service and container, Dockerfile path), while AWS still holds the old ones. When a project's
// plan removes the config of one repository and creates the config of another, say what changes.
import { parse } from 'yaml';
import { warning, type Diagnostic } from '../diagnostics.ts';
import type { ProjectSummary } from '../resolve/workspace-rules.ts';
import type { OutputPlan } from './files.ts';

const CONFIG = /^generated\/([^/]+)\/([^/]+)\/\.circleci\/config\.yml$/;
const WATCHED: [string, string][] = [
  ['ecr_repository', 'ECR repository'],
  ['ecs_service', 'ECS service'],
  ['ecs_container', 'container'],
  ['dockerfile', 'Dockerfile path'],
];

export function findRenames(plan: OutputPlan, projects: ProjectSummary[]): Diagnostic[] {
  const removed = new Map<string, { repository: string; text: string }[]>();
  const created = new Map<string, { repository: string; text: string }[]>();
  for (const { path, before } of plan.removals) {
    const match = CONFIG.exec(path);
    if (match)
      removed.set(match[1]!, [
        ...(removed.get(match[1]!) ?? []),
        { repository: match[2]!, text: before },
      ]);
  }
  for (const { path, text, before } of plan.writes) {
    const match = before === undefined ? CONFIG.exec(path) : null;
    if (match)
      created.set(match[1]!, [...(created.get(match[1]!) ?? []), { repository: match[2]!, text }]);
  }
  const found: Diagnostic[] = [];
  for (const [projectId, gone] of removed) {
    const added = created.get(projectId) ?? [];
    // Only a one-for-one swap reads as a rename; anything else is said by the file list itself.
    if (gone.length !== 1 || added.length !== 1) continue;
    const [old, renamed] = [gone[0]!, added[0]!];
    const changes = WATCHED.flatMap(([parameter, what]) => {
      const [was, is] = [
        buildParameter(old.text, parameter),
        buildParameter(renamed.text, parameter),
      ];
      return was !== undefined && is !== undefined && was !== is ? [`${what} ${was} → ${is}`] : [];
    });
    if (changes.length === 0) continue;
    const project = projects.find((candidate) => candidate.id === projectId);
    const index = project?.repositories.indexOf(renamed.repository) ?? -1;
    if (!project || index < 0) continue;
    found.push(
      warning(
        'renamed-repository',
        {
          file: project.source.file,
          exportName: project.source.exportName,
          path: ['repositories', index, 'id'],
        },
        `repository ${JSON.stringify(old.repository)} seems renamed to ${JSON.stringify(renamed.repository)}, ` +
          `which changes its ${changes.join(', ')}; AWS keeps the old ones: move the images and the service ` +
          'there, or keep the old names with build.ecs (ecrRepository, service, container, dockerfile)',
      ),
    );
  }
  return found;
}

/** A parameter of the config's build job, when it has one. */
function buildParameter(text: string, name: string): string | undefined {
  try {
    const config = parse(text) as {
      workflows?: Record<string, { jobs?: Record<string, Record<string, unknown>>[] }>;
    };
    for (const workflow of Object.values(config.workflows ?? {}))
      for (const job of workflow.jobs ?? [])
        for (const parameters of Object.values(job)) {
          const value = parameters?.[name];
          if (typeof value === 'string') return value;
        }
  } catch {
    // Not YAML: nothing to compare.
  }
  return undefined;
}
