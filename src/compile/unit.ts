// One project module, from its source to its files: load -> parse -> the project's rules ->
// resolve -> locate what was found -> emit -> validate -> render. A module is the unit of work and
// of caching: what it produces depends only on its own inputs (recorded by the settings realm),
// the workspace config, the orb and the schema. The rules across projects run later, on summaries.
import { relative } from 'node:path';
import { hasErrors, type Diagnostic } from '../diagnostics.ts';
import { emitProject, orbReference } from '../emit/emit.ts';
import type { Orb } from '../emit/orb.ts';
import { renderYaml } from '../emit/yaml.ts';
import type { RenderedFile } from '../output/files.ts';
import type { ResolvedProject } from '../resolve/model.ts';
import { cascadeLinks } from '../resolve/cascade.ts';
import { gitKey } from '../resolve/links.ts';
import { resolveProjects } from '../resolve/resolve.ts';
import { syncWritesOf } from '../resolve/sync-targets.ts';
import type { ProjectSummary } from '../resolve/workspace-rules.ts';
import { loadProjectModule } from '../modules/load.ts';
import { parseProjects, type ParsedProject, type Source } from '../settings/parse.ts';
import type { ConsoleLine, Inputs, SettingsRealm } from '../modules/realm.ts';
import type { Config } from '../settings/schema.ts';
import type { Timings } from '../timings.ts';
import { validateArtifacts, type FileProblem } from './validate.ts';

export interface UnitContext {
  root: string;
  config: Config;
  configSource?: Source;
  /** Whether to emit, validate and render files (generate, check) or only resolve (run, site). */
  render: boolean;
  /** carbon.config.ts has an error: rules that read it stay quiet (see RuleContext). */
  configFailed: boolean;
  /** CircleCI's schema; undefined when there is none (Carbon's own checks only). */
  schemaPath: string | undefined;
}

export interface UnitResult {
  /** Workspace-relative path of the module. */
  module: string;
  inputs: Inputs;
  /**
   * Every error and warning of the module: located here when the module is plain data, else by
   * compile.ts as units arrive.
   */
  diagnostics: Diagnostic[];
  console: ConsoleLine[];
  /**
   * The resolved projects, when the module has no error and is not rendered: generate and check
   * need only the files and summaries, and resolved projects would double what is sent and kept.
   */
  projects: ResolvedProject[];
  summaries: ProjectSummary[];
  /** Rendered files (with `render`, when the module has no error and every file is valid). */
  files: RenderedFile[];
  problems: FileProblem[];
}

export async function produceUnit(
  realm: SettingsRealm,
  file: string,
  context: UnitContext,
  orb: Orb,
  timings: Timings,
): Promise<UnitResult> {
  const { root, config } = context;
  const load = await timings.timeAsync('load', () => loadProjectModule(realm, file));
  const parsed = timings.time('parse', () => parseProjects(load.exports));
  const ruleContext = {
    root,
    config,
    ...(context.configSource ? { configSource: context.configSource } : {}),
    configFailed: context.configFailed,
    projects: parsed.projects,
  };
  const blocked = hasErrors(load.diagnostics) || hasErrors(parsed.diagnostics);
  const resolved = timings.time('resolve', () => resolveProjects(ruleContext, blocked));
  const result: UnitResult = {
    module: relative(root, file).split('\\').join('/'),
    inputs: load.inputs,
    diagnostics: timings.time('locate', () =>
      located(realm, [...load.diagnostics, ...parsed.diagnostics, ...resolved.diagnostics]),
    ),
    console: load.console,
    projects: context.render ? [] : (resolved.projects ?? []),
    summaries: parsed.projects.map((project, index) =>
      summaryOf(project, resolved.projects?.[index]),
    ),
    files: [],
    problems: [],
  };
  if (!context.render || !resolved.projects) return result;
  const reference = orbReference(config, orb);
  const artifacts = timings.time('emit', () =>
    resolved.projects!.flatMap((project) => emitProject(project, config, reference, root)),
  );
  result.problems = timings.time('validate', () =>
    validateArtifacts(artifacts, orb, context.schemaPath),
  );
  if (result.problems.length > 0) return result;
  result.files = timings.time('render', () =>
    artifacts.map((artifact) => ({
      path: artifact.path,
      text: renderYaml(artifact.document, artifact.header),
    })),
  );
  return result;
}

/**
 * The diagnostics with their line and column where the module is plain data: from the offsets the
 * plain reader kept while it read the module, not a second reading (bench/RESULTS.md, "warnings
 * added").
 */
function located(realm: SettingsRealm, diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.map((diagnostic) => {
    const { file, exportName, path } = diagnostic.origin;
    if (diagnostic.position || exportName === undefined) return diagnostic;
    const position = realm.positionIn(file, exportName, path);
    return position ? { ...diagnostic, position } : diagnostic;
  });
}

function summaryOf(project: ParsedProject, resolved: ResolvedProject | undefined): ProjectSummary {
  return {
    id: project.settings.id,
    source: project.source,
    repositories: project.repositories.map(({ settings }) => settings.id),
    gitKeys: project.repositories.flatMap(({ settings }) =>
      [settings.local.git, ...(settings.origin ? [settings.origin.git] : [])].flatMap(
        (written) => gitKey(written) ?? [],
      ),
    ),
    syncWrites: syncWritesOf(project.repositories),
    cascadeLinks: cascadeLinks(project),
    targets: (resolved?.repositories ?? []).flatMap((repository) => {
      const build = repository.build;
      if (!build?.enabled) return [];
      const where = `${build.aws.accountId}/${build.aws.region}`;
      return [
        {
          index: repository.index,
          repository: repository.id,
          ecr: `${where}/${build.image.ecrRepository}`,
          ...(build.deploy.mode === 'ecs_service'
            ? { ecs: `${where}/${build.deploy.cluster}/${build.deploy.service}` }
            : {}),
          ...(build.provision?.kind === 'cloudformation'
            ? { stack: `${where}/${build.provision.stack}` }
            : {}),
        },
      ];
    }),
  };
}
