// The `carbon site` command: build the site, say what was written and how to open it, and with
// --serve keep serving it, rebuilt on every settings change. (Command-line code: it prints.)
import { join, relative, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
import type { ConsoleLine } from '../modules/realm.ts';
import { buildSite, siteClock, type SiteResult } from './site.ts';

export interface SiteIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface SiteOptions {
  out?: string;
  serve?: boolean;
}

const EXIT_OK = 0;
const EXIT_INVALID = 2;

export async function siteCommand(
  root: string,
  options: SiteOptions,
  io: SiteIo,
  /** Prints what settings modules wrote to the console, and the diagnostics. */
  report: (result: { diagnostics: Diagnostic[]; console: ConsoleLine[] }) => void,
): Promise<number> {
  const out = options.out === undefined ? join(root, 'site') : resolve(io.cwd, options.out);
  const shown = relative(io.cwd, out).startsWith('..') ? out : relative(io.cwd, out) || '.';
  // A rebuild says only the warnings that are new: one project's warning is not said again each
  // time another project changes (errors are said every time: nothing is written while they last).
  let said = new Set<string>();
  const build = async (): Promise<SiteResult> => {
    const result = await buildSite({ root, out, now: siteClock(io.env), env: io.env });
    const key = (d: Diagnostic) => `${d.origin.file}\0${d.code}\0${d.message}`;
    report({
      ...result,
      diagnostics: result.diagnostics.filter((d) => d.severity === 'error' || !said.has(key(d))),
    });
    said = new Set(result.diagnostics.map(key));
    if (result.written) {
      const { written, removed, unchanged } = result.written;
      const projects = result.site!.projects.length;
      io.out(
        `site: ${projects} project${projects === 1 ? '' : 's'}; ${written.length} files written, ` +
          `${removed.length} removed, ${unchanged} unchanged in ${shown}\n`,
      );
    }
    return result;
  };
  const first = await build();
  if (!options.serve) {
    if (!first.written) return EXIT_INVALID;
    io.out(`open ${join(shown, 'index.html')} in a browser, or run \`carbon site --serve\`\n`);
    return EXIT_OK;
  }
  const { serveSite, signalled } = await import('./serve.ts');
  // A rebuild that fails says why and keeps the server up: the next change may fix it.
  const rebuild = () =>
    build().catch((caught: unknown): SiteResult => {
      io.err(`carbon site: ${caught instanceof Error ? caught.message : String(caught)}\n`);
      return { diagnostics: [], console: [] };
    });
  const server = await serveSite({ root, out, rebuild });
  io.out(`serving ${shown} on ${server.url} (Ctrl-C to stop); rebuilt on every settings change\n`);
  await signalled();
  await server.close();
  return EXIT_OK;
}
