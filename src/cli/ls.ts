// `carbon ls [project]`: what the settings produce, as a table that fits the terminal, or --json.
// Problems in the settings are reported as generate reports them (exit 2); warnings go to stderr
// and the listing still comes, so that --json output stays machine-readable.
import { compileSettings } from '../compile/resolved-settings.ts';
import { UserError } from '../errors.ts';
import { didYouMean } from '../suggest.ts';
import type { CommandContext } from './context.ts';
import type { LS_OPTIONS } from './options.ts';
import { EXIT, type Io } from './io.ts';
import { onlyFor, reportSettings } from './report.ts';

export async function ls(context: CommandContext<typeof LS_OPTIONS>): Promise<number> {
  const { io, root, options, positionals } = context;
  const compiled = await compileSettings(root, io.env);
  const wanted = positionals[0];
  reportSettings(onlyFor(compiled, wanted), root, io);
  if (!compiled.workspace) return EXIT.invalid;
  const { listWorkspace } = await import('../inspect/listing.ts');
  let projects = listWorkspace(compiled.workspace, root);
  if (wanted !== undefined) {
    const ids = projects.map((project) => project.id);
    projects = projects.filter((project) => project.id === wanted);
    if (projects.length === 0)
      throw new UserError(
        `there is no project ${JSON.stringify(wanted)}${didYouMean(wanted, ids)}: ` +
          (ids.length === 0
            ? 'the workspace has none'
            : `the projects are ${ids.map((id) => JSON.stringify(id)).join(', ')}`),
      );
  }
  if (options.json) {
    io.out(`${JSON.stringify(projects, null, 2)}\n`);
    return EXIT.ok;
  }
  const { listingText } = await import('../inspect/render.ts');
  io.out(listingText(projects, terminalWidth(io)));
  return EXIT.ok;
}

/** $COLUMNS when set, else the terminal's width; none when the output is no terminal. */
function terminalWidth(io: Io): number | undefined {
  const columns = Number(io.env['COLUMNS']);
  if (Number.isInteger(columns) && columns > 0) return columns;
  return io.interactive ? process.stdout.columns : undefined;
}
