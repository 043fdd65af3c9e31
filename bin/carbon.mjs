#!/usr/bin/env node
// Runs Carbon's TypeScript sources with no build step to remember.
//
// The sources under src/ are bundled by esbuild into one ES module cached under
// node_modules/.cache/carbon/, named by a hash of every source file. An edit to any source gives a
// new hash and so a new bundle on the next run (about 60 ms, once); an unchanged tree loads the
// cached bundle directly, which is what keeps `carbon check` fast in CI.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
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
  hash.update(readFileSync(join(packageRoot, 'package.json')));
  return hash.digest('hex').slice(0, 20);
}

async function bundle(outfile) {
  const { build } = await import('esbuild');
  const temporary = `${outfile}.${process.pid}.tmp`;
  await build({
    entryPoints: [join(sourceRoot, 'cli.ts')],
    outfile: temporary,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'error',
  });
  renameSync(`${temporary}.map`, `${outfile}.map`);
  renameSync(temporary, outfile);
  // Older bundles are dead weight once a new one exists.
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith('cli-') && !name.startsWith(basename(outfile))) {
      rmSync(join(cacheDir, name), { force: true });
    }
  }
}

const bundlePath = join(cacheDir, `cli-${sourceHash()}.mjs`);
if (!existsSync(bundlePath)) {
  mkdirSync(cacheDir, { recursive: true });
  await bundle(bundlePath);
}
process.setSourceMapsEnabled(true);
const { main } = await import(pathToFileURL(bundlePath).href);
process.exitCode = await main(process.argv.slice(2));
