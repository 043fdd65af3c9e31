#!/usr/bin/env node
// npm run bench: whole-process timings of `carbon generate` (cold, then no-op) and `carbon check`
// on synthetic fleets of 1, 40, 200 and 400 projects (5 repositories each), with the peak memory,
// the files written, the split by stage, and the floor: a bare Node script writing the same bytes
// to the same paths. Writes bench/RESULTS.md. A benchmark, not a test: nothing here asserts.
//
// Usage: npm run bench [-- --sizes 1,40,200,400 --runs 5 --out bench/RESULTS.md]
import { spawnSync } from 'node:child_process';
import { cpus, freemem, totalmem, tmpdir, release } from 'node:os';
import {
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
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeFleet } from './fleet.mjs';

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const carbon = join(packageRoot, 'bin', 'carbon.mjs');
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1,40,200,400' },
    runs: { type: 'string', default: '5' },
    out: { type: 'string', default: join(packageRoot, 'bench', 'RESULTS.md') },
  },
});
const sizes = values.sizes.split(',').map(Number);
const runs = Number(values.runs);

/** One whole-process run: wall time, and what CARBON_PROFILE reported. */
function carbonRun(command, root, env = {}) {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [carbon, command, '--root', root], {
    encoding: 'utf8',
    env: { ...process.env, CARBON_PROFILE: '1', ...env },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  const expected = command === 'check' ? [0, 1] : [0];
  if (!expected.includes(child.status)) {
    throw new Error(`carbon ${command} exited ${child.status}:\n${child.stderr}`);
  }
  const line = child.stderr.split('\n').find((l) => l.startsWith('carbon-profile '));
  const profile = line ? JSON.parse(line.slice('carbon-profile '.length)) : undefined;
  const written = Number(/^(\d+) written/m.exec(child.stdout)?.[1] ?? 0);
  return { wall, profile, written };
}

function listFiles(root, folder) {
  return readdirSync(join(root, folder), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(root, join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

/**
 * The floor: a bare Node process writing the same bytes to the same paths (mkdir + writeFile),
 * after the same clearing as a cold generate, so that both meet the disk in the same state.
 */
function floorRunner(root, clear) {
  const paths = [...listFiles(root, 'generated'), 'orb.yml'];
  const files = paths.map((path) => [path, readFileSync(join(root, path), 'utf8')]);
  const blob = join(root, '..', 'floor.json');
  writeFileSync(blob, JSON.stringify(files));
  const script = `const fs=require('fs'),p=require('path');const root=process.argv[1];for(const [f,t] of JSON.parse(fs.readFileSync(process.argv[2],'utf8'))){const a=p.join(root,f);fs.mkdirSync(p.dirname(a),{recursive:true});fs.writeFileSync(a,t);}`;
  return {
    prepare: clear,
    run: () => {
      const start = process.hrtime.bigint();
      const child = spawnSync(process.execPath, ['-e', script, root, blob]);
      if (child.status !== 0) throw new Error(String(child.stderr));
      return { wall: Number(process.hrtime.bigint() - start) / 1e6 };
    },
  };
}

/**
 * Several measurements taken in turns (a, b, c, a, b, c, ...) rather than one after the other, so
 * that a slow spell of the disk falls on all of them alike. Each: median, min and max.
 */
function interleaved(count, jobs) {
  for (const job of jobs) {
    job.prepare();
    job.run();
  }
  const results = jobs.map(() => []);
  for (let i = 0; i < count; i++) {
    jobs.forEach((job, index) => {
      job.prepare();
      results[index].push(job.run());
    });
  }
  return results.map((list) => {
    const walls = list.map((r) => r.wall).sort((a, b) => a - b);
    return {
      median: walls[Math.floor(walls.length / 2)],
      min: walls[0],
      max: walls.at(-1),
      results: list,
    };
  });
}

const median = (numbers) => numbers.sort((a, b) => a - b)[Math.floor(numbers.length / 2)];
const stagesOf = (results) => {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.profile.stages)))];
  return Object.fromEntries(
    names.map((name) => [name, median(results.map((r) => r.profile.stages[name] ?? 0))]),
  );
};
const ms = (value) => `${Math.round(value)}`;
const triple = ({ median, min, max }) => `${ms(median)} (${ms(min)}–${ms(max)})`;
const KINDS = {
  cold: 'cold',
  uncached: 'cold, uncached',
  edited: 'after an edit',
  noop: 'no-op',
  check: 'check',
};

const rows = [];
const scratch = mkdtempSync(join(tmpdir(), 'carbon-bench-'));
try {
  for (const size of sizes) {
    const root = join(scratch, `fleet-${size}`, 'workspace');
    writeFleet(root, size);
    // Clearing moves the outputs aside instead of deleting them: deleting thousands of files makes
    // this disk slow for the writes that follow, which would measure the deletion, not Carbon.
    // What was moved aside is deleted once every fleet is measured.
    let cleared = 0;
    const clear = () => {
      const aside = join(scratch, 'aside', `${size}-${++cleared}`);
      mkdirSync(aside, { recursive: true });
      for (const name of ['generated', 'orb.yml']) {
        if (existsSync(join(root, name))) renameSync(join(root, name), join(aside, name));
      }
    };
    carbonRun('generate', root);
    const floor = floorRunner(root, clear);
    const projects = join(root, 'projects');
    const module = join(
      projects,
      readdirSync(projects).find((name) => !name.startsWith('_')),
    );
    let edits = 0;
    const [cold, uncached, edited, noop, check, bottom] = interleaved(runs, [
      { prepare: clear, run: () => carbonRun('generate', root) },
      { prepare: clear, run: () => carbonRun('generate', root, { CARBON_CACHE: '0' }) },
      {
        // A comment changes the module, not the outputs: the pipeline cache misses, nothing is written.
        prepare: () => writeFileSync(module, `${readFileSync(module, 'utf8')}// edit ${++edits}\n`),
        run: () => carbonRun('generate', root),
      },
      { prepare: () => {}, run: () => carbonRun('generate', root) },
      { prepare: () => {}, run: () => carbonRun('check', root) },
      floor,
    ]);
    const measured = { cold, uncached, edited, noop, check };
    const files = cold.results[0].written;
    const paths = [...listFiles(root, 'generated'), 'orb.yml'];
    const bytes = paths.reduce((sum, path) => sum + statSync(join(root, path)).size, 0);
    const all = Object.values(measured).flatMap((m) => m.results);
    const rss = Math.max(...all.map((r) => r.profile.maxRssKb)) / 1024;
    const noopWrites = Math.max(...[...noop.results, ...edited.results].map((r) => r.written));
    const stages = Object.fromEntries(
      Object.entries(measured).map(([kind, m]) => [kind, stagesOf(m.results)]),
    );
    rows.push({ size, files, bytes, ...measured, floor: bottom, rss, noopWrites, stages });
    process.stdout.write(
      `${size} projects: ${Object.entries(KINDS)
        .map(([kind, label]) => `${label} ${triple(measured[kind])}`)
        .join(', ')}, ` + `floor ${triple(bottom)} ms; peak RSS ${rss.toFixed(0)} MB\n`,
    );
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const machine =
  `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB memory ` +
  `(${(freemem() / 2 ** 30).toFixed(0)} GiB free), Linux ${release()}, Node ${process.version}`;
const lines = [
  '# Carbon benchmark',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}, by \`npm run bench\` (bench/bench.mjs).`,
  `Each figure is the median of ${runs} whole-process runs after a warm-up, in milliseconds, with (min–max).`,
  'Fleets of N projects with 5 repositories each (bench/fleet.mjs). The runs of one fleet are taken in',
  "turns, so that the disk's slow spells fall on all of them alike.",
  '',
  '- cold: generate into an empty workspace (no generated/, no orb.yml), the pipeline cache as the last run left it;',
  '- cold, uncached: the same with every cache off (CARBON_CACHE=0: no pipeline answer, no kept schema validator, transpiled module or packed orb), as on a new machine;',
  '- after an edit: generate after a comment was added to one project module: the pipeline cache misses and every',
  '  stage runs, but nothing needs writing;',
  '- no-op: generate again with nothing changed; check: `carbon check` with nothing stale;',
  '- floor: a bare Node process writing the same bytes to the same paths, after the same clearing as cold.',
  '',
  'Clearing moves generated/ and orb.yml aside rather than deleting them: on this machine, writing',
  'thousands of files right after deleting thousands makes every writer, the floor included, several',
  'times slower, which would measure the disk, not Carbon.',
  '',
  `| projects | files | MB | ${Object.values(KINDS).join(' | ')} | floor | peak RSS MB | no-op writes |`,
  `| ---: | ---: | ---: | ${Object.keys(KINDS)
    .map(() => '---:')
    .join(' | ')} | ---: | ---: | ---: |`,
  ...rows.map(
    (r) =>
      `| ${r.size} | ${r.files} | ${(r.bytes / 2 ** 20).toFixed(1)} | ${Object.keys(KINDS)
        .map((kind) => triple(r[kind]))
        .join(' | ')} | ` + `${triple(r.floor)} | ${r.rss.toFixed(0)} | ${r.noopWrites} |`,
  ),
  '',
  '## Time by stage (in-process medians, ms)',
  '',
  'startup is everything before the command runs: Node itself, the launcher and the modules it loads;',
  'cache is computing the pipeline cache key (and reading or writing the entry); modules is loading the code',
  'of the stages from load to render (zod, yaml, the schema validator), which a cache hit never loads.',
  '',
];
const stageNames = [
  'startup',
  'cache',
  'modules',
  'load',
  'parse',
  'resolve',
  'emit',
  'validate',
  'render',
  'output',
];
lines.push(
  `| projects | run | ${stageNames.join(' | ')} |`,
  `| ---: | --- | ${stageNames.map(() => '---:').join(' | ')} |`,
);
for (const row of rows) {
  for (const [kind, label] of Object.entries(KINDS)) {
    lines.push(
      `| ${row.size} | ${label} | ${stageNames.map((name) => ms(row.stages[kind][name] ?? 0)).join(' | ')} |`,
    );
  }
}
if (rows.length >= 2) {
  const [a, b] = rows.slice(-2);
  const growth = (kind) => `${(b[kind].median / a[kind].median).toFixed(2)}×`;
  lines.push(
    '',
    `Growth from ${a.size} to ${b.size} projects: ${[...Object.entries(KINDS), ['floor', 'floor']].map(([kind, label]) => `${label} ${growth(kind)}`).join(', ')}.`,
  );
}
writeFileSync(values.out, `${lines.join('\n')}\n`);
process.stdout.write(`wrote ${relative(process.cwd(), values.out)}\n`);
