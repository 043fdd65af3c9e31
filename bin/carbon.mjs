#!/usr/bin/env node
// Runs Carbon's TypeScript sources with no build step to remember.
//
// The sources under src/ are bundled by esbuild into ES modules cached under
// node_modules/.cache/carbon/, in a folder named by a hash of every source file and of the package
// files. An edit to any source gives a new hash and so a new bundle on the next run (about 100 ms,
// once); an unchanged tree loads the cached bundle directly, which is what keeps `carbon check`
// fast in CI. The bundle is split at dynamic imports, so a command loads only the code it runs,
// and the hash is given to the code as __CARBON_BUILD__: the pipeline cache is keyed by it.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

async function bundle(folder, build) {
  const { build: esbuild } = await import('esbuild');
  const temporary = `${folder}.${process.pid}.tmp`;
  rmSync(temporary, { recursive: true, force: true });
  await esbuild({
    entryPoints: {
      cli: join(sourceRoot, 'cli.ts'),
      worker: join(sourceRoot, 'compile', 'worker.ts'),
    },
    outdir: temporary,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    define: { __CARBON_BUILD__: JSON.stringify(build) },
    logLevel: 'error',
  });
  try {
    renameSync(temporary, folder);
  } catch (error) {
    // Another process built the same sources first: use its bundle.
    rmSync(temporary, { recursive: true, force: true });
    if (!existsSync(folder)) throw error;
  }
  // Older bundles are dead weight once a new one exists, but a process started before the change
  // may still be loading parts of one (the bundle is split): only bundles unused for an hour go,
  // and never another process's half-built one.
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(cacheDir)) {
    if (!/^cli-[0-9a-f]+$/.test(name) || name === basename(folder)) continue;
    const path = join(cacheDir, name);
    if (statSync(path).mtimeMs < hourAgo) rmSync(path, { recursive: true, force: true });
  }
}

const build = sourceHash();
const bundleFolder = join(cacheDir, `cli-${build}`);
if (!existsSync(join(bundleFolder, 'cli.js'))) {
  mkdirSync(cacheDir, { recursive: true });
  await bundle(bundleFolder, build);
} else if (Date.now() - statSync(bundleFolder).mtimeMs > 600_000) {
  // Marks the bundle as in use (at most every ten minutes), so that pruning spares it.
  const now = new Date();
  utimesSync(bundleFolder, now, now);
}
process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(join(bundleFolder, 'cli.js')).href);
process.exitCode = await main(process.argv.slice(2));
