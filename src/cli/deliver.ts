// plan, apply and publish: putting the generated setup live. Only this module prints for them.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { compileSettings } from '../compile/resolved-settings.ts';
import { UserError } from '../errors.ts';
import type { Workspace } from '../resolve/model.ts';
import type { CommandContext } from './context.ts';
import type { APPLY_OPTIONS, PLAN_OPTIONS, PUBLISH_OPTIONS } from './options.ts';
import { EXIT, type Io } from './io.ts';
import { onlyFor, plural, reportBlockers, reportSettings } from './report.ts';

/** The resolved settings, or undefined (reported) when they have errors. */
async function settings(context: CommandContext): Promise<Workspace | undefined> {
  const compiled = await compileSettings(context.root, context.io.env);
  reportSettings(onlyFor(compiled, context.positionals[0]), context.root, context.io);
  return compiled.workspace;
}

/** On a terminal, one line on stderr that rewrites itself; nothing otherwise. */
function progressLine(io: Io, what: string) {
  let shown = false;
  return {
    update: (done: number, total: number) => {
      if (!io.interactive) return;
      io.err(`\r\x1b[K${what}: ${done}/${total} CircleCI projects`);
      shown = true;
    },
    waiting: (ms: number) => {
      if (!io.interactive) return;
      io.err(`\r\x1b[K${what}: CircleCI asks to slow down, waiting ${Math.ceil(ms / 1000)} s`);
      shown = true;
    },
    clear: () => {
      if (shown) io.err('\r\x1b[K');
      shown = false;
    },
  };
}

async function prepare(context: CommandContext) {
  const workspace = await settings(context);
  if (!workspace) return undefined;
  const { desiredState } = await import('../deliver/desired.ts');
  const { workspacePrefix } = await import('../deliver/git.ts');
  const desired = desiredState(workspace, {
    ...(context.positionals[0] ? { filter: context.positionals[0] } : {}),
    pathPrefix: await workspacePrefix(context.root, context.io.env),
  });
  return { desired, workspace, progress: progressLine(context.io, 'reading') };
}

/** CircleCI read and compared with the settings; the plan printed. */
async function readPlan(context: CommandContext, prepared: Prepared) {
  const { connect, connectOrbs } = await import('../deliver/connect.ts');
  const hooks = hooksOf(context, prepared.progress);
  const api = connect(context.io.env, hooks);
  const { desiredOrb } = await import('../deliver/orb.ts');
  const orb = desiredOrb(context.root, prepared.workspace.config);
  const target = orb ? { registry: connectOrbs(context.io.env, hooks), orb } : undefined;
  const { makePlan } = await import('../deliver/plan.ts');
  const format = await import('../deliver/format.ts');
  const planned = await makePlan(api, prepared.desired, prepared.progress.update, target);
  prepared.progress.clear();
  context.io.out(format.formatPlan(planned));
  const tally = format.counts(planned.groups);
  return { api, target, planned, tally, changes: format.hasChanges(planned), format };
}

type Prepared = NonNullable<Awaited<ReturnType<typeof prepare>>>;

/** How the API clients report: CARBON_DEBUG lines, and waits on the progress line. */
function hooksOf(context: CommandContext, progress: ReturnType<typeof progressLine>) {
  const { io } = context;
  return {
    ...(io.env['CARBON_DEBUG'] ? { debug: (line: string) => io.err(`circleci: ${line}\n`) } : {}),
    onWait: (ms: number) => progress.waiting(ms),
  };
}

export async function plan(context: CommandContext<typeof PLAN_OPTIONS>): Promise<number> {
  const { io, positionals } = context;
  const { terraform } = context.options;
  if (terraform !== undefined && positionals.length > 0)
    throw new UserError(
      '--terraform writes the whole desired state (Terraform deletes what a file leaves out): give no project or repository with it',
    );
  const prepared = await prepare(context);
  if (!prepared) return EXIT.invalid;
  if (terraform !== undefined) {
    const { writeTerraform } = await import('../deliver/terraform.ts');
    const written = writeTerraform(prepared.desired, io.cwd, terraform);
    for (const line of written) io.out(`${line}\n`);
    return EXIT.ok;
  }
  const { tally, changes } = await readPlan(context, prepared);
  if (tally.problems > 0) return EXIT.invalid;
  return changes ? EXIT.drift : EXIT.ok;
}

export async function apply(context: CommandContext<typeof APPLY_OPTIONS>): Promise<number> {
  const prepared = await prepare(context);
  if (!prepared) return EXIT.invalid;
  const { io, options } = context;
  const { api, target, planned, tally, changes, format } = await readPlan(context, prepared);
  const problems = tally.problems > 0;
  if (!changes) return problems ? EXIT.invalid : EXIT.ok;
  const deletions = tally.delete + tally.replace;
  if (deletions > 0 && options.yes !== true && !(await confirmed(io, deletions)))
    return EXIT.invalid;
  const { applyPlan } = await import('../deliver/apply.ts');
  const applying = progressLine(io, 'applying');
  const result = await applyPlan(api, planned, prepared.desired, applying.update, target);
  applying.clear();
  io.out(format.formatApply(result));
  return problems || result.failed.length > 0 || result.unconfirmed.length > 0
    ? EXIT.invalid
    : EXIT.ok;
}

/**
 * Deletions are asked for on a terminal and need --yes elsewhere: a CI job that deletes must say
 * so in its command line.
 */
async function confirmed(io: Io, deletions: number): Promise<boolean> {
  const objects = plural(deletions, 'object');
  if (!io.interactive || !process.stdin.isTTY) {
    io.err(
      `carbon apply would delete ${objects} (marked - or -/+ above): deletions need --yes when stdin is not a terminal; nothing was changed\n`,
    );
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Delete ${objects} marked - or -/+ above? Type yes to go on: `,
    );
    if (answer.trim() === 'yes') return true;
    io.err('nothing was changed\n');
    return false;
  } finally {
    prompt.close();
  }
}

export async function publish(context: CommandContext<typeof PUBLISH_OPTIONS>): Promise<number> {
  const { io, root, options, positionals } = context;
  // Publish commits the files generate wrote: they must be what the settings say, or the commit
  // message would name a workspace commit that does not hold them.
  const produced = await (await import('./build.ts')).pipeline(context, false);
  if (reportBlockers(produced, root, io)) return EXIT.invalid;
  const stale = [...produced.plan!.writes, ...produced.plan!.removals].map((file) => file.path);
  if (stale.length > 0)
    throw new UserError(
      `${plural(stale.length, 'generated file does', 'generated files do')} not match the settings (${stale.join(', ')}): run \`carbon generate\`, commit, then publish`,
    );
  const { circleci } = produced.config!;
  if (circleci.integration === 'github-app') {
    io.out(
      `nothing to publish: with circleci.integration 'github-app' CircleCI reads each config from this workspace's repository at ${circleci.configRepository!.ref}: push generated/ there\n`,
    );
    return EXIT.ok;
  }
  // The resolved projects (generate's run keeps only their files): where each config goes.
  const { workspace } = await compileSettings(root, io.env);
  const { publishTargets, publishTarget } = await import('../deliver/publish.ts');
  const { workspaceCommit } = await import('../deliver/git.ts');
  const { mapLimit } = await import('../deliver/pool.ts');
  const targets = publishTargets(workspace!, positionals[0], (file) => relative(root, file));
  const commit = await workspaceCommit(root, io.env);
  const viaBranch = options['via-branch'];
  const outcomes = (
    await mapLimit(targets, 4, (target) =>
      publishTarget(target, readFileSync(join(root, target.source), 'utf8'), {
        env: io.env,
        ...(viaBranch ? { viaBranch } : {}),
        ...(commit ? { workspaceCommit: commit } : {}),
      }),
    )
  ).flat();
  const tally = { committed: 0, 'up-to-date': 0, foreign: 0, failed: 0 };
  for (const outcome of outcomes) {
    tally[outcome.status]++;
    const mark = outcome.status === 'foreign' || outcome.status === 'failed' ? '! ' : '';
    io.out(`${outcome.key} ${outcome.branch}: ${mark}${outcome.message}\n`);
  }
  io.out(
    `Publish: ${tally.committed} committed, ${tally['up-to-date']} up to date, ${tally.foreign} left alone, ${tally.failed} failed.\n`,
  );
  return tally.foreign + tally.failed > 0 ? EXIT.invalid : EXIT.ok;
}
