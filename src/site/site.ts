// `carbon site`: settings -> page model -> HTML -> the site folder. Returns data; the command
// (command.ts) prints.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileSettings } from '../compile/resolved-settings.ts';
import { hasErrors, type Diagnostic } from '../diagnostics.ts';
import { UserError } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import type { ConsoleLine } from '../modules/realm.ts';
import { layoutFor, type GraphLayout } from './layout.ts';
import { siteModel, type Site } from './model.ts';
import { FILTER_SCRIPT, renderIndex, renderProject, STYLESHEET } from './render.ts';
import { writeSite, type SiteFile, type SiteWrite } from './write.ts';

export interface SiteRequest {
  root: string;
  /** The site folder, absolute. */
  out: string;
  /** Next runs are computed from this instant. */
  now: Date;
  /** The environment settings may read (`env` in carbon.config.ts). */
  env: NodeJS.ProcessEnv;
}

export interface SiteResult {
  diagnostics: Diagnostic[];
  /** What settings modules wrote to the console. */
  console: ConsoleLine[];
  /** Absent when the settings have errors: nothing was written. */
  site?: Site;
  written?: SiteWrite;
}

const ASSETS = join(PACKAGE_ROOT, 'src', 'site', 'assets');

export async function buildSite({ root, out, now, env }: SiteRequest): Promise<SiteResult> {
  const compiled = await compileSettings(root, env);
  const workspace = compiled.workspace;
  const { diagnostics, console } = compiled;
  if (hasErrors(diagnostics) || !workspace) return { diagnostics, console };
  const site = siteModel({ workspace, root, out, now });
  const layout = await layoutFor(
    site.projects.map((project) => project.graph),
    root,
  );
  const files = renderSite(site, layout);
  return { diagnostics, console, site, written: writeSite(out, files) };
}

export function renderSite(site: Site, layout: GraphLayout): SiteFile[] {
  return [
    { path: site.index.path, text: renderIndex(site) },
    ...site.projects.map((project) => ({
      path: project.path,
      text: renderProject(project, site, layout),
    })),
    { path: STYLESHEET, text: readFileSync(join(ASSETS, 'site.css'), 'utf8') },
    { path: FILTER_SCRIPT, text: readFileSync(join(ASSETS, 'filter.js'), 'utf8') },
  ];
}

/**
 * The instant next runs are computed from: SOURCE_DATE_EPOCH (seconds, the reproducible-builds
 * convention) when set, so that a build can be repeated byte for byte; else now. To the minute.
 */
export function siteClock(env: NodeJS.ProcessEnv, now = Date.now()): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && !/^\d{1,12}$/.test(epoch))
    throw new UserError(
      `SOURCE_DATE_EPOCH=${JSON.stringify(epoch)} is not a number of seconds since 1970`,
    );
  const at = epoch !== undefined ? Number(epoch) * 1000 : now;
  return new Date(Math.floor(at / 60_000) * 60_000);
}
