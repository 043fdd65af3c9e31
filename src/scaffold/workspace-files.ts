// The files around the settings of a new workspace: what git ignores, the CI check, and the npm
// package that installs Carbon (for `npm run carbon -- COMMAND` and CI) and gives editors its types.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { renderYaml } from '../emit/yaml.ts';
import { PACKAGE_ROOT } from '../paths.ts';

/** What Carbon and its commands write that is no source: installed packages, caches, the site. */
export function gitignore(): string {
  return ['node_modules/', '.carbon/', 'site/', ''].join('\n');
}

/** Carbon's own CI runs on this image: Carbon needs Node 20.19 or later. */
const NODE_IMAGE = 'cimg/node:20.19.0';
const NPM_CACHE_KEY = 'npm-v1-{{ checksum "package-lock.json" }}';
/**
 * One V8 background thread instead of Node's four: on two CPUs those threads compete with the two
 * that work (bench/RESULTS.md runs Carbon so, as `npm run check` does). Not `0` (CPUs less one): Node 20 counts the
 * host's CPUs in a container limited by a CPU quota, as CircleCI's Docker executors are.
 */
const V8_POOL_OPTION = '--v8-pool-size=1';

/**
 * `.circleci/config.yml` of the workspace itself: install Carbon with the workspace's lock file,
 * fetch CircleCI's schema (pinned and checked; CARBON_REQUIRE_SCHEMA makes its absence an error
 * rather than a note), then `carbon check`, which fails when a generated file is not what the
 * settings give. NODE_OPTIONS gives V8 one background thread, as Carbon's npm scripts do: on
 * CircleCI's two-CPU machines Node's default of four threads competes with the settings worker.
 */
export function ciConfig(): string {
  return renderYaml(
    {
      version: 2.1,
      jobs: {
        check: {
          docker: [{ image: NODE_IMAGE }],
          environment: { CARBON_REQUIRE_SCHEMA: '1', NODE_OPTIONS: V8_POOL_OPTION },
          steps: [
            'checkout',
            { restore_cache: { keys: [NPM_CACHE_KEY] } },
            { run: { name: 'Install Carbon', command: 'npm ci --no-audit --no-fund' } },
            { save_cache: { key: NPM_CACHE_KEY, paths: ['~/.npm'] } },
            { run: { name: "Fetch CircleCI's schema", command: 'npm run carbon -- fetch-schema' } },
            { run: { name: 'Generated files match the settings', command: 'npm run check' } },
          ],
        },
      },
      workflows: { check: { jobs: ['check'] } },
    },
    [
      'The CI check of this Carbon workspace, written by `carbon init`: it fails when the files under',
      'generated/ and orb.yml are not what the settings give. Run `npm run generate` and commit.',
    ],
  );
}

/**
 * package.json: Carbon as a development dependency, and its commands as npm scripts; TypeScript
 * too (the version Carbon is checked with), for `npm run typecheck`: tsconfig.json says what tsc
 * checks, and the workspace should have the tsc it names.
 */
export function packageJson(folder: string, carbon: string): string {
  const manifest = {
    name: packageName(folder),
    private: true,
    type: 'module',
    // `npm run carbon -- COMMAND` runs the Carbon installed here and nothing else: `npx carbon`
    // would fetch npm's unrelated package of that name wherever Carbon is not installed yet.
    scripts: {
      carbon: 'carbon',
      generate: 'carbon generate',
      check: 'carbon check',
      site: 'carbon site',
      typecheck: 'tsc -p .',
    },
    engines: { node: '>=20.19' },
    devDependencies: { carbon, typescript: typescriptVersion() },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/** The TypeScript Carbon's own package.json names. */
function typescriptVersion(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  return manifest.devDependencies?.['typescript'] ?? '5';
}

/**
 * tsconfig.json: what editors need to check settings modules against Carbon's types (its sources,
 * which import each other with `.ts` extensions). Written as prettier writes it.
 */
export function tsconfig(): string {
  return `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "skipLibCheck": true,
    "types": []
  },
  "include": ["carbon.config.ts", "projects"]
}
`;
}

/** An npm package name from the folder's name: lower case, `-` for anything else. */
function packageName(folder: string): string {
  const name = basename(folder)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return name === '' ? 'carbon-workspace' : name.slice(0, 214);
}

/**
 * How the new workspace's package.json names Carbon: the spec the running Carbon was installed
 * with, when a package.json above its node_modules/ names it (npx and installs do); else the
 * folder it runs from, as `file:` (Carbon run from its own clone). A `file:` spec works on this
 * machine only: CI has no such folder.
 */
export function carbonDependency(target: string, packageRoot = PACKAGE_ROOT): string {
  const parent = dirname(packageRoot);
  if (basename(parent) === 'node_modules') {
    const consumer = dirname(parent);
    const spec = declaredSpec(join(consumer, 'package.json'), basename(packageRoot));
    if (spec !== undefined && !spec.startsWith('file:')) return spec;
    if (spec !== undefined) return fileSpec(target, resolve(consumer, spec.slice('file:'.length)));
  }
  return fileSpec(target, packageRoot);
}

function declaredSpec(manifest: string, name: string): string | undefined {
  if (!existsSync(manifest)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      const spec = (parsed[field] as Record<string, unknown> | undefined)?.[name];
      if (typeof spec === 'string') return spec;
    }
  } catch {
    // Not JSON: nothing can be learnt from it.
  }
  return undefined;
}

function fileSpec(target: string, folder: string): string {
  return `file:${relative(target, folder).split(sep).join('/') || '.'}`;
}
