#!/usr/bin/env node
// Runs Carbon's TypeScript sources with no build step to remember.
//
// The sources under src/ are bundled by esbuild into CommonJS files cached under
// node_modules/.cache/carbon/, in a folder named by a hash of every source file and of the package
// files. An edit to any source gives a new hash and so a new bundle on the next run (about 90 ms,
// once); an unchanged tree loads the cached bundle directly, which is what keeps `carbon check`
// fast in CI. The hash is given to the code as __CARBON_BUILD__: the pipeline cache is keyed by it.
//
// One CommonJS file per thread (cli.js, engine.js): Node loads one CommonJS file faster than the thirty ES modules a
// split bundle and zod's ES build come to (bench/RESULTS.md). A command still runs only the code it
// needs: esbuild evaluates a module imported dynamically when it is first imported, and V8
// compiles a function when it first runs.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const sourceRoot = join(packageRoot, 'src');
const cacheDir = join(packageRoot, 'node_modules', '.cache', 'carbon');

function listSources(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listSources(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files.sort();
}

function sourceHash() {
  const hash = createHash('sha256');
  for (const file of listSources(sourceRoot)) {
    hash.update(relative(sourceRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin/carbon.mjs']) {
    try {
      hash
        .update(file)
        .update('\0')
        .update(readFileSync(join(packageRoot, file)));
    } catch {
      hash.update(file).update('\0<missing>');
    }
  }
  return hash.digest('hex').slice(0, 20);
}

/**
 * Builds the bundle into `folder` (in place all at once), with `modules` linked in as its
 * node_modules when it lives outside the package.
 */
async function bundle(folder, build, parent, modules) {
  const { build: esbuild } = await import('esbuild');
  const temporary = `${folder}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  await esbuild({
    // The settings engine runs in a thread of its own (src/modules/engine.ts).
    entryPoints: {
      cli: join(sourceRoot, 'cli.ts'),
      engine: join(sourceRoot, 'modules', 'engine-thread.ts'),
    },
    outdir: temporary,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    // CommonJS has no import.meta: the sources' uses of its url get the bundle file's, and any
    // other use of import.meta fails the build rather than read undefined.
    define: { __CARBON_BUILD__: JSON.stringify(build), 'import.meta.url': 'importMetaUrl' },
    logOverride: { 'empty-import-meta': 'error' },
    // Strict, as the ES modules it comes from are (and the tests run): esbuild's own "use
    // strict" would come after the banner, where it is no directive.
    banner: {
      js: "'use strict';\nconst importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    },
    logLevel: 'error',
  });
  // CommonJS whatever package.json is above the folder (a bundle outside node_modules/ could be
  // under a package of type module).
  writeFileSync(join(temporary, 'package.json'), '{ "type": "commonjs" }\n');
  // Linked before the bundle appears: another process may load it as soon as it does.
  if (modules) symlinkSync(modules, join(temporary, 'node_modules'));
  try {
    renameSync(temporary, folder);
  } catch (error) {
    // Another process built the same sources first: use its bundle.
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(folder)) throw error;
  }
  // Older bundles are dead weight once a new one exists, but a process started before the change
  // may still load from one (it imports its modules as it needs them): only bundles unused for
  // an hour go, and never another process's half-built one.
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(parent)) {
    if (!/^cli-[0-9a-f-]+$/.test(name) || name === basename(folder)) continue;
    const path = join(parent, name);
    if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The folder of the bundle for these sources, built when missing: under node_modules/.cache, or,
 * where that cannot be written (a read-only install), in a folder of this user's in the system's
 * temporary folder. Exit 2 with the path and the reason when neither can be written.
 */
async function bundleFolderFor(build) {
  const candidates = [
    cacheDir,
    join(
      tmpdir(),
      `carbon-bundles-${typeof process.getuid === 'function' ? process.getuid() : 'user'}`,
    ),
  ];
  let failure;
  for (const folder of candidates) {
    const outside = folder !== cacheDir;
    // A bundle outside the package imports its packages through a link to its node_modules; one
    // per install, so that two installs never share a link.
    const name = outside
      ? `cli-${build}-${createHash('sha256').update(packageRoot).digest('hex').slice(0, 8)}`
      : `cli-${build}`;
    const bundleFolder = join(folder, name);
    if (existsSync(join(bundleFolder, 'cli.js'))) {
      if (Date.now() - statSync(bundleFolder).mtimeMs > 600_000) {
        // Marks the bundle as in use (at most every ten minutes), so that pruning spares it.
        const now = new Date();
        try {
          utimesSync(bundleFolder, now, now);
        } catch {
          // A read-only cache: its bundles are never pruned either.
        }
      }
      return bundleFolder;
    }
    try {
      mkdirSync(folder, { recursive: true });
      await bundle(
        bundleFolder,
        build,
        folder,
        outside ? join(packageRoot, 'node_modules') : undefined,
      );
      return bundleFolder;
    } catch (error) {
      // Only a folder that cannot be written sends the bundle elsewhere; anything else is a bug.
      if (typeof error?.code !== 'string' || !/^E[A-Z]+$/.test(error.code)) {
        process.stderr.write(
          `carbon: internal error (this is a bug in Carbon, please report it): could not build Carbon:\n${error?.stack ?? error}\n`,
        );
        process.exit(3);
      }
      failure ??= error;
    }
  }
  const where = failure?.path ?? cacheDir;
  process.stderr.write(
    `carbon: cannot build Carbon's bundle in ${where}: ${failure?.code ?? failure?.message ?? failure}; ` +
      `make node_modules/.cache writable (or ${tmpdir()})\n`,
  );
  process.exit(2);
}

const build = sourceHash();
const bundleFolder = await bundleFolderFor(build);
// The bundle may live outside the package (a read-only install): it finds the templates here.
process.env['CARBON_PACKAGE_ROOT'] = packageRoot;
const { main } = createRequire(import.meta.url)(join(bundleFolder, 'cli.js'));
process.exitCode = await main(process.argv.slice(2));
