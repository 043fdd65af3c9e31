#!/usr/bin/env node
// npm run bench: whole-process timings of the paths users pay for, on synthetic fleets of 1, 100,
// 250 and 500 projects (5 repositories each, 4 of them built) and on the sample workspace:
//
// - warm: `carbon check` with the caches as the last run left them (the no-op);
// - uncached: `carbon check` with CARBON_CACHE=0 (no pipeline answer; kept schema code and orb used);
// - fresh: `carbon check` with an empty store (CARBON_STORE): what a new CI clone pays, but for
//   building the launcher's bundle once (kept in node_modules/.cache, not in the store: ~90 ms);
// - edit: one cron of one project module changed, then `carbon generate` (an engineer's edit);
// - warnings: the uncached check of a twin fleet with one warning per project, against uncached;
// - floors: bare Node starting, and bare Node writing the same bytes to the same paths.
//
// At each size every fleet of FLEETS is measured, all in the same rounds: one SSH key for the
// host (the fleet the last speed round measured), a key per client organisation, a deploy key per
// repository, and projects written as code with a shared helper module. Peak RSS is the whole
// process's (threads included). Writes bench/RESULTS.md, with the issues' targets checked at the
// largest size. A benchmark, not a test: it asserts only that each path did what it claims (every
// check exits 0: nothing stale; a warm check compiles nothing, an uncached one compiles every
// module; the edit writes files).
//
// Usage: npm run bench [-- --sizes 1,100,250,500 --runs 7 --fleets one,repository --out bench/RESULTS.md]
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, freemem, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFleet } from './fleet.mjs';

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const carbon = join(packageRoot, 'bin', 'carbon.mjs');
/** Node's options as `npm run check` gives them (package.json), so that Carbon runs as users run it. */
const nodeOptions = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'))
  .scripts.check.split(' ')
  .filter((word) => word.startsWith('--'));
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,100,250,500' },
    runs: { type: 'string', default: '7' },
    fleets: { type: 'string' },
    out: { type: 'string', default: join(packageRoot, 'bench', 'RESULTS.md') },
  },
});
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);

/**
 * The fleets measured at each size (bench/fleet.mjs): which git.sshKeys open the repositories,
 * whether the project modules are code that imports projects/_helpers.ts, whether a twin with one
 * warning a project is measured beside it, and the fleet alike but with one key (`oneKey`), which
 * each path of this one is held to, run by run.
 */
const FLEETS = {
  one: { label: 'one key', keys: 'one', warnings: true },
  organisation: { label: 'a key per client organisation', keys: 'organisation', oneKey: 'one' },
  repository: { label: 'a deploy key per repository', keys: 'repository', oneKey: 'one' },
  helpers: { label: 'helpers, one key', keys: 'one', helpers: true },
  'helpers-repository': {
    label: 'helpers, a deploy key per repository',
    keys: 'repository',
    helpers: true,
    oneKey: 'helpers',
  },
};
const fleetNames = values.fleets?.split(',') ?? Object.keys(FLEETS);
for (const name of fleetNames)
  if (!FLEETS[name]) throw new Error(`no fleet ${name}: ${Object.keys(FLEETS).join(', ')}`);

/** The last speed round's targets (5/6), checked on the one-key fleet at the largest size and on the sample. */
const TARGETS = { edit: 350, uncached: 800, fresh: 800, sample: 300, warnings: 50, rssMb: 150 };
/** Growth from half the largest size to the largest, every path and fleet. */
const GROWTH = 2.2;
/** A fleet's paths against the same fleet with one key, at the largest size. */
const KEYS_RATIO = 1.15;

/** One whole-process run of Carbon: wall time, CPU time (every thread), peak RSS, files written. */
function carbonRun(command, root, env = {}) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [...nodeOptions, carbon, command, '--root', root], {
    encoding: 'utf8',
    env: { ...process.env, CARBON_PROFILE: '1', ...env },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0)
    throw new Error(`carbon ${command} exited ${child.status}:\n${child.stderr}`);
  const line = child.stderr.split('\n').find((l) => l.startsWith('carbon-profile '));
  if (!line) throw new Error(`carbon ${command} printed no profile:\n${child.stderr}`);
  const profile = JSON.parse(line.slice('carbon-profile '.length));
  const written = Number(/^(\d+) written/m.exec(child.stdout)?.[1] ?? 0);
  return {
    wall,
    cpu: profile.cpuMs,
    rssMb: profile.maxRssKb / 1024,
    written,
    stages: profile.stages,
  };
}

/** A bare process: wall time and peak RSS (Node reports its own at exit). */
function nodeRun(args) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(String(child.stderr));
  return { wall, rssMb: Number(child.stdout) / 1024, written: 0 };
}
const REPORT_RSS = 'process.stdout.write(String(process.resourceUsage().maxRSS))';

function listFiles(root, folder) {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(root, join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

/**
 * The floor of writing: a bare Node process writing the workspace's generated bytes to the same
 * relative paths in a folder of its own. Each run starts from an empty folder; the previous one is
 * moved aside, not deleted, because deleting thousands of files makes this disk slow for the writes
 * that follow, which would measure the deletion. What was moved aside goes at the end.
 */
function writeFloor(root, scratch, name) {
  const paths = [...listFiles(root, 'generated'), 'orb.yml'];
  const blob = join(scratch, `${name}-floor.json`);
  writeFileSync(blob, JSON.stringify(paths.map((p) => [p, readFileSync(join(root, p), 'utf8')])));
  const target = join(scratch, `${name}-floor`);
  let cleared = 0;
  const script =
    `const fs=require('fs'),p=require('path');` +
    `for(const [f,t] of JSON.parse(fs.readFileSync(process.argv[2],'utf8'))){` +
    `const a=p.join(process.argv[1],f);fs.mkdirSync(p.dirname(a),{recursive:true});fs.writeFileSync(a,t);}` +
    REPORT_RSS;
  return {
    prepare: () => {
      if (existsSync(target)) renameSync(target, join(scratch, 'aside', `${name}-${++cleared}`));
    },
    run: () => nodeRun(['-e', script, target, blob]),
  };
}

/**
 * A real edit of one project module: the first sync cron (a "cron" field, or a helper's argument)
 * flips between its own value and another, so each generate rewrites that project's files (and
 * only them).
 */
function editor(root) {
  const projects = join(root, 'projects');
  const module = join(
    projects,
    readdirSync(projects).find((name) => /^client\d+\.ts$/.test(name)),
  );
  const original = readFileSync(module, 'utf8');
  const cron = /"[0-9*/,-]+(?: [0-9*/,-]+){4}"/.exec(original);
  if (!cron) throw new Error(`no cron to edit in ${module}`);
  const edited = original.replace(cron[0], '"0 5 * * *"');
  let flips = 0;
  return () => writeFileSync(module, ++flips % 2 ? edited : original);
}

/**
 * Measurements taken in turns (a, b, c, a, b, c, ...), after one warm-up round, so that a slow
 * spell of this machine falls on all of them alike. Per job: every run, in round order. A job
 * `after` another runs right after it, and in every other pair right before it, `pairs` times a
 * round: the two are compared run by run, and a pair taken a second apart, first one way then the
 * other, leaves out the drift of the machine and the order. (Each of the two then has `pairs` runs
 * a round.)
 */
function interleaved(count, jobs) {
  const rounds = jobs.map(() => []);
  const take = (job, round) => {
    job.prepare?.();
    const result = job.run();
    job.verify?.(result);
    if (round >= 0) rounds[jobs.indexOf(job)].push(result);
  };
  let turns = 0;
  for (let round = -1; round < count; round++) {
    for (const job of jobs.filter((candidate) => !candidate.after)) {
      const partner = jobs.find((other) => other.after === job);
      if (!partner) take(job, round);
      for (let pair = 0; partner && pair < (partner.pairs ?? 1); pair++) {
        for (const current of turns++ % 2 === 0 ? [job, partner] : [partner, job])
          take(current, round);
      }
    }
  }
  return rounds;
}

const sorted = (numbers) => [...numbers].sort((a, b) => a - b);
const median = (numbers) => sorted(numbers)[Math.floor(numbers.length / 2)];
const spread = (numbers) => ({
  median: median(numbers),
  min: Math.min(...numbers),
  max: Math.max(...numbers),
});
const ms = (value) => `${Math.round(value)}`;
const triple = ({ median, min, max }) => `${ms(median)} (${ms(min)}–${ms(max)})`;

const PATHS = {
  warm: 'check, warm',
  uncached: 'check, CARBON_CACHE=0',
  fresh: 'check, empty store',
  edit: 'edit one, generate',
  warnings: 'warnings added',
  start: 'floor: node',
  write: 'floor: write',
};
/** The paths measured on every fleet; the others only on a fleet with a warnings twin, or once a size. */
const FLEET_PATHS = ['warm', 'uncached', 'fresh', 'edit'];

/**
 * The jobs of every path on one workspace: Carbon's, what warnings add when it has a twin with
 * warnings, and the floors when asked.
 */
function jobsOf(id, root, { warningsRoot, floors }) {
  carbonRun('generate', root);
  if (warningsRoot) carbonRun('generate', warningsRoot);
  const store = join(scratch, `${id}-store`);
  const freshStore = () => {
    rmSync(store, { recursive: true, force: true });
    mkdirSync(store);
  };
  const compiled = (expected) => (result) => {
    if ('load' in result.stages !== expected)
      throw new Error(`a check in ${root} ${expected ? 'compiled nothing' : 'compiled settings'}`);
  };
  const uncached = {
    run: () => carbonRun('check', root, { CARBON_CACHE: '0' }),
    verify: compiled(true),
  };
  return {
    warm: { run: () => carbonRun('check', root), verify: compiled(false) },
    uncached,
    fresh: {
      prepare: freshStore,
      run: () => carbonRun('check', root, { CARBON_STORE: store }),
      verify: compiled(true),
    },
    ...(existsSync(join(root, 'projects', 'client0001.ts'))
      ? {
          edit: {
            prepare: editor(root),
            run: () => carbonRun('generate', root),
            verify: (result) => {
              if (result.written === 0) throw new Error(`the edit in ${root} wrote nothing`);
            },
          },
        }
      : {}),
    ...(warningsRoot
      ? {
          warnings: {
            run: () => carbonRun('check', warningsRoot, { CARBON_CACHE: '0' }),
            after: uncached,
            // What warnings add (10 to 30 ms) is the difference of two runs of 0.6 s or more,
            // each of which drifts by 30 ms and more: three pairs a round.
            pairs: 3,
          },
        }
      : {}),
    ...(floors
      ? { start: { run: () => nodeRun(['-e', REPORT_RSS]) }, write: writeFloor(root, scratch, id) }
      : {}),
  };
}

/**
 * Workspaces measured in the same rounds, so that a slow spell of the machine falls on all of
 * them alike: each one's row, with every path's spread, peak RSS, stages and runs in round order.
 */
function measure(workspaces) {
  const jobs = workspaces.flatMap((workspace) => Object.values(workspace.jobs));
  const rounds = interleaved(runs, jobs);
  return workspaces.map(({ row, root, jobs: own }) => {
    const results = Object.fromEntries(
      Object.entries(own).map(([key, job]) => [key, rounds[jobs.indexOf(job)]]),
    );
    for (const [key, taken] of Object.entries(results)) {
      // Warnings are reported as what they add: per pair, the difference to the uncached run.
      const walls = taken.map((r, run) =>
        key === 'warnings' ? r.wall - results.uncached[run].wall : r.wall,
      );
      row[key] = { ...spread(walls), walls, rssMb: Math.max(...taken.map((r) => r.rssMb)) };
      if (taken[0].stages) row[key].stages = taken.map((r) => r.stages);
      if (key !== 'warnings' && taken[0].cpu !== undefined) row[key].cpus = taken.map((r) => r.cpu);
    }
    const files = [...listFiles(root, 'generated'), 'orb.yml'];
    row.files = files.length;
    row.bytes = files.reduce((sum, path) => sum + statSync(join(root, path)).size, 0);
    return row;
  });
}

/**
 * A path's median per round of its `walls` or `cpus` (a job paired with another runs `pairs`
 * times a round).
 */
function byRound(path, series) {
  const each = path[series].length / runs;
  return Array.from({ length: runs }, (_, round) =>
    median(path[series].slice(round * each, (round + 1) * each)),
  );
}

/** Each path of a fleet against the same path of the fleet alike with one key, round by round. */
function keyRatios(row, oneKey, series) {
  return Object.fromEntries(
    FLEET_PATHS.map((key) => {
      const other = byRound(oneKey[key], series);
      return [key, spread(byRound(row[key], series).map((value, round) => value / other[round]))];
    }),
  );
}

/** The repository's own sample workspace, copied so that nothing here touches it. */
function sampleWorkspace() {
  const root = join(scratch, 'sample');
  for (const entry of [
    'carbon.config.ts',
    'projects',
    'generated',
    'orb.yml',
    'orb-versions.yml',
  ]) {
    if (existsSync(join(packageRoot, entry)))
      cpSync(join(packageRoot, entry), join(root, entry), { recursive: true });
  }
  return root;
}

const rows = [];
/** The machine's load (1-minute average) when the run began and ended: other work slows every run. */
const load = [loadavg()[0]];
const scratch = mkdtempSync(join(tmpdir(), 'carbon-bench-'));
mkdirSync(join(scratch, 'aside'));
const say = (row) =>
  process.stdout.write(
    `${row.name}: ${Object.entries(PATHS)
      .filter(([key]) => row[key])
      .map(([key, label]) => `${label} ${triple(row[key])}`)
      .join(', ')} ms; peak RSS ${ms(
      Math.max(
        ...Object.keys(PATHS)
          .filter((k) => row[k])
          .map((k) => row[k].rssMb),
      ),
    )} MB\n`,
  );
try {
  const root = sampleWorkspace();
  const [sample] = measure([
    { row: { name: 'sample' }, root, jobs: jobsOf('sample', root, { floors: true }) },
  ]);
  rows.push(sample);
  say(sample);
  for (const size of sizes) {
    const workspaces = fleetNames.map((fleet, index) => {
      const { label, keys, helpers, warnings } = FLEETS[fleet];
      const id = `${size}-${fleet}`;
      const root = join(scratch, id);
      writeFleet(root, size, { keys, helpers });
      const warningsRoot = warnings ? join(scratch, `${id}-warnings`) : undefined;
      if (warningsRoot) writeFleet(warningsRoot, size, { keys, helpers, warnings: true });
      return {
        row: { name: `${size} projects, ${label}`, size, fleet },
        root,
        // The floors are the same for every fleet of a size: measured once.
        jobs: jobsOf(id, root, { warningsRoot, floors: index === 0 }),
      };
    });
    for (const row of measure(workspaces)) {
      rows.push(row);
      say(row);
    }
  }
} finally {
  load.push(loadavg()[0]);
  rmSync(scratch, { recursive: true, force: true });
}

// The report.
const largestSize = Math.max(...sizes);
const rowOf = (size, fleet) => rows.find((row) => row.size === size && row.fleet === fleet);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine =
  `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory ` +
  `(${(freemem() / 2 ** 30).toFixed(0)} GiB free), Linux ${release()}, Node ${process.version}`;
const cell = (row, key) => (row[key] ? triple(row[key]) : '–');
const rssCell = (row, key) => (row[key] ? ms(row[key].rssMb) : '–');
const ratio = ({ median, min, max }) =>
  `${median.toFixed(2)}× (${min.toFixed(2)}–${max.toFixed(2)})`;
const verdict = (ok) => (ok ? 'met' : '**not met**');
const lines = [
  '# Carbon benchmark',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, by \`npm run bench\` (bench/bench.mjs),`,
  `running Carbon as \`npm run check\` runs it: \`node ${[...nodeOptions, 'bin/carbon.mjs'].join(' ')}\`.`,
  `Each figure is the median of ${runs} whole-process runs after a warm-up round, in milliseconds, with`,
  '(min–max). The runs of every fleet of one size are taken in turns, so that a slow spell of the',
  'machine falls on every path and fleet alike. Fleets: N projects of 5 repositories each, 4 built',
  "(bench/fleet.mjs); sample: a copy of this repository's own workspace.",
  '',
  `The machine's load (1-minute average, ${cpus().length} cores) was ${load[0].toFixed(1)} when the run began and ` +
    `${load[1].toFixed(1)} when it ended:`,
  'work of others on the machine slows every run alike, which ratios of runs taken side by side and',
  'CPU times (of every thread of the process) show least.',
  '',
  'The fleets of a size hold the same projects and differ in how they are written:',
  '',
  '- one key: one `git.sshKeys` entry for the host (`github.com`), plain-data project modules;',
  "- a key per client organisation: the agency's organisation and each client's (N + 1 keys);",
  '- a deploy key per repository: one per agency repository and one per client organisation (6 a',
  '  project: 3,000 at 500 projects), each opening what a job clones or pushes;',
  '- helpers: every project module is code that imports a shared `projects/_helpers.ts` (git URLs,',
  '  sync rules, the carbon repository), so it runs in the settings realm instead of being read as',
  '  data; with one key, or with a deploy key per repository.',
  '',
  'The paths:',
  '',
  '- check, warm: `carbon check` with the caches as the last run left them;',
  '- check, CARBON_CACHE=0: no pipeline answer, so every stage runs; the schema validator and packed orb',
  '  kept in the store are used;',
  '- check, empty store: `CARBON_STORE` an empty folder, as on a new CI clone (no pipeline answer, no',
  "  schema code; the orb comes packed with Carbon), but with Carbon's launcher bundle built (about",
  '  90 ms more once);',
  '- edit one, generate: one sync cron in one project module changed (back and forth), then `carbon',
  "  generate`: that project's schedules are rewritten;",
  '- warnings added (one-key fleet): the uncached check of a twin fleet with one warning per project',
  '  (a cron minute a timetable cannot pin; the twin differs only in those crons), minus the uncached',
  '  check of the fleet taken right before or after it (the order alternates), three such pairs a',
  '  round, the median of those differences (check, CARBON_CACHE=0 is the median of those runs too);',
  '- floor: node: a bare Node process that starts and exits; floor: write: a bare Node process writing',
  '  the same generated bytes to the same relative paths in an empty folder (once a size).',
  '',
  `| workspace | files | MB | ${Object.values(PATHS).join(' | ')} |`,
  `| --- | ---: | ---: | ${Object.keys(PATHS)
    .map(() => '---:')
    .join(' | ')} |`,
  ...rows.map(
    (row) =>
      `| ${row.name} | ${row.files} | ${(row.bytes / 2 ** 20).toFixed(1)} | ` +
      `${Object.keys(PATHS)
        .map((key) => cell(row, key))
        .join(' | ')} |`,
  ),
  '',
  '## CPU time (ms, every thread of the process, medians)',
  '',
  `| workspace | ${FLEET_PATHS.map((key) => PATHS[key]).join(' | ')} |`,
  `| --- | ${FLEET_PATHS.map(() => '---:').join(' | ')} |`,
  ...rows.map(
    (row) =>
      `| ${row.name} | ${FLEET_PATHS.map((key) => (row[key]?.cpus ? ms(median(row[key].cpus)) : '–')).join(' | ')} |`,
  ),
  '',
  '## Peak RSS (MB, the largest of the runs)',
  '',
  `| workspace | ${Object.values(PATHS)
    .filter((l) => l !== PATHS.warnings)
    .join(' | ')} | with warnings |`,
  `| --- | ${Object.keys(PATHS)
    .map(() => '---:')
    .join(' | ')} |`,
  ...rows.map(
    (row) =>
      `| ${row.name} | ${Object.keys(PATHS)
        .filter((k) => k !== 'warnings')
        .map((key) => rssCell(row, key))
        .join(' | ')} | ${rssCell(row, 'warnings')} |`,
  ),
];

// Each fleet with keys against the same fleet with one key, run by run in the same rounds.
const compared = rows.flatMap((row) => {
  const oneKey = row.fleet && rowOf(row.size, FLEETS[row.fleet].oneKey);
  return oneKey
    ? [
        {
          row,
          oneKey,
          ratios: keyRatios(row, oneKey, 'walls'),
          cpu: keyRatios(row, oneKey, 'cpus'),
        },
      ]
    : [];
});
if (compared.length > 0)
  lines.push(
    '',
    '## Keys side by side',
    '',
    'Each path of a fleet with many keys over the same path of the fleet alike with one key, taken in',
    'the same round: the median of the rounds, (min–max); in wall time, then in CPU time.',
    '',
    `| fleet | against | time | ${FLEET_PATHS.map((key) => PATHS[key]).join(' | ')} |`,
    `| --- | --- | --- | ${FLEET_PATHS.map(() => '---:').join(' | ')} |`,
    ...compared.flatMap(({ row, oneKey, ratios, cpu }) =>
      [
        ['wall', ratios],
        ['CPU', cpu],
      ].map(
        ([time, values]) =>
          `| ${row.name} | ${FLEETS[oneKey.fleet].label} | ${time} | ${FLEET_PATHS.map((key) => ratio(values[key])).join(' | ')} |`,
      ),
    ),
  );

const checks = [];
const one = rowOf(largestSize, 'one');
const sample = rows[0];
if (one) {
  const peak = Math.max(
    ...[sample, ...rows.filter((row) => row.fleet === 'one')].flatMap((row) =>
      [...FLEET_PATHS, 'warnings'].filter((k) => row[k]).map((k) => row[k].rssMb),
    ),
  );
  checks.push(
    [`edit one project, then generate (${one.name})`, `≤ ${TARGETS.edit} ms`, one.edit.median],
    [`check, CARBON_CACHE=0 (${one.name})`, `≤ ${TARGETS.uncached} ms`, one.uncached.median],
    [`check, empty store: a fresh clone (${one.name})`, `≤ ${TARGETS.fresh} ms`, one.fresh.median],
    [
      'check with no cache, sample (CARBON_CACHE=0)',
      `≤ ${TARGETS.sample} ms`,
      sample.uncached.median,
    ],
    ['check, empty store, sample', `≤ ${TARGETS.sample} ms`, sample.fresh.median],
    [`${one.size} warnings add`, `≤ ${TARGETS.warnings} ms`, one.warnings.median],
    ['peak RSS, every path, one-key fleets and sample', `≤ ${TARGETS.rssMb} MB`, peak],
  );
}
for (const { row, oneKey, ratios } of compared.filter(({ row }) => row.size === largestSize))
  for (const key of FLEET_PATHS)
    checks.push([
      `${PATHS[key]}: ${row.name} over ${FLEETS[oneKey.fleet].label}`,
      `≤ ${KEYS_RATIO}×`,
      ratios[key].median,
    ]);
for (const row of rows.filter((candidate) => candidate.size === largestSize)) {
  const half = rowOf(largestSize / 2, row.fleet);
  if (!half) continue;
  for (const key of FLEET_PATHS)
    checks.push([
      `growth of ${PATHS[key]}, ${FLEETS[row.fleet].label}, ${half.size} → ${row.size} projects`,
      `≤ ${GROWTH}×`,
      row[key].median / half[key].median,
    ]);
}
if (checks.length > 0)
  lines.push(
    '',
    '## Targets',
    '',
    "The last speed round's (5/6) on the one-key fleet and the sample, then the real fleets' (issue 24).",
    '',
    '| path | target | measured | |',
    '| --- | ---: | ---: | --- |',
    ...checks.map(([path, target, value]) => {
      const bound = Number(/[\d.]+/.exec(target)[0]);
      const shown = target.endsWith('×') ? `${value.toFixed(2)}×` : ms(value);
      return `| ${path} | ${target} | ${shown} | ${verdict(value <= bound)} |`;
    }),
  );

const stageNames = [
  ...new Set(
    rows.flatMap((row) =>
      ['uncached', 'fresh', 'edit'].flatMap((key) =>
        (row[key]?.stages ?? []).flatMap((stages) => Object.keys(stages)),
      ),
    ),
  ),
];
lines.push(
  '',
  '## Time by stage (in-process medians, ms)',
  '',
  'startup is everything before the command runs (Node, the launcher, the modules it loads); cache is',
  'the pipeline cache key and entry; the rest are the pipeline stages (README, Development).',
  '',
  `| workspace | path | ${stageNames.join(' | ')} |`,
  `| --- | --- | ${stageNames.map(() => '---:').join(' | ')} |`,
);
for (const row of rows) {
  for (const key of ['uncached', 'fresh', 'edit']) {
    if (!row[key]) continue;
    const stage = (name) => ms(median(row[key].stages.map((stages) => stages[name] ?? 0)));
    lines.push(`| ${row.name} | ${PATHS[key]} | ${stageNames.map(stage).join(' | ')} |`);
  }
}
writeFileSync(values.out, `${lines.join('\n')}\n`);
process.stdout.write(`wrote ${relative(process.cwd(), values.out)}\n`);
