// CircleCI's schema on a user's machine: `carbon fetch-schema` gets the pinned one and checks its
// digest; without any schema, generate still works with Carbon's own checks and says so once.
import { execFile, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PINNED_SCHEMA } from '../../src/validate/schema-source.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { copyOfCarbon } from '../helpers/install.ts';
import { SCHEMA } from '../helpers/schema.ts';
import { SAMPLE_CONFIG, makeWorkspace } from '../helpers/workspace.ts';

const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A local stand-in for raw.githubusercontent.com, answering every request with `body`. */
async function serve(body: Buffer | string, status = 200): Promise<string> {
  const server = createServer((_request, response) => {
    response.writeHead(status);
    response.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}/schema.json`;
}

/** Runs the copy's CLI without blocking this process, which serves the stand-in. */
function carbon(install: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(install, 'bin/carbon.mjs'), ...args],
      {
        cwd: install,
        env: { ...process.env, CARBON_REQUIRE_SCHEMA: '', CARBON_CIRCLECI_SCHEMA: '', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

const kept = (install: string) =>
  join(install, 'node_modules/.cache/carbon/schema', `${PINNED_SCHEMA.commit}.json`);

describe('carbon fetch-schema', () => {
  it('keeps the pinned schema once its digest is checked, and says when it is already there', async () => {
    const install = copyOfCarbon();
    const url = await serve(readFileSync(SCHEMA));
    const first = await carbon(install, ['fetch-schema'], { CARBON_SCHEMA_URL: url });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      `fetched CircleCI's schema (${PINNED_SCHEMA.repository} at c9a13f55002b) from ${url}`,
    );
    expect(readFileSync(kept(install))).toEqual(readFileSync(SCHEMA));
    const again = await carbon(install, ['fetch-schema'], {
      CARBON_SCHEMA_URL: 'http://127.0.0.1:9/none',
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("CircleCI's schema is already in");
  });

  it('needs no network when the pinned schema is beside Carbon already (../shared)', async () => {
    // This clone has ../shared; the mirror named here does not exist, and is never asked.
    const result = await carbon(REPO_ROOT, ['fetch-schema'], {
      CARBON_SCHEMA_URL: 'http://127.0.0.1:9/nowhere.json',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`CircleCI's schema is already in ${SCHEMA}\n`);
  });

  it('keeps nothing with a wrong digest, and says when there is no network', async () => {
    const install = copyOfCarbon();
    const wrong = await carbon(install, ['fetch-schema'], { CARBON_SCHEMA_URL: await serve('{}') });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`not the pinned ${PINNED_SCHEMA.sha256}: not kept`);
    expect(existsSync(kept(install))).toBe(false);
    const missing = await carbon(install, ['fetch-schema'], {
      CARBON_SCHEMA_URL: await serve('gone', 404),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('HTTP 404');
    const offline = await carbon(install, ['fetch-schema'], {
      CARBON_SCHEMA_URL: 'http://127.0.0.1:9/schema.json',
    });
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('could not download the CircleCI schema');
    // A mirror's password is never printed, not even in fetch's own error.
    const credentials = await carbon(install, ['fetch-schema'], {
      CARBON_SCHEMA_URL: 'http://mirror:s3cretPass@127.0.0.1:9/schema.json',
    });
    expect(credentials.code).toBe(2);
    expect(credentials.stderr).toContain('from http://mirror:***@127.0.0.1:9/schema.json');
    expect(credentials.stderr).not.toContain('s3cretPass');
  });
});

describe('without any schema', () => {
  it("generates the same files with Carbon's own checks, saying so once; CI can insist", async () => {
    const install = copyOfCarbon();
    const workspace = makeWorkspace({
      'carbon.config.ts': SAMPLE_CONFIG,
      'projects/taxaroo.ts': readFileSync(join(REPO_ROOT, 'projects/taxaroo.ts'), 'utf8'),
    });
    const result = await carbon(install, ['generate', '--root', workspace]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(
      "carbon: note: CircleCI's schema is not here, so configs were checked by Carbon's own rules only; `npm run carbon -- fetch-schema` gets it\n",
    );
    const withSchema = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin/carbon.mjs'), 'check', '--root', workspace],
      { encoding: 'utf8' },
    );
    expect(withSchema.status, withSchema.stdout).toBe(0);
    expect(readdirSync(join(workspace, 'generated/taxaroo'))).toHaveLength(5);
    const insisting = await carbon(install, ['check', '--root', workspace], {
      CARBON_REQUIRE_SCHEMA: '1',
    });
    expect(insisting.code).toBe(2);
    expect(insisting.stderr).toContain(
      "CircleCI's schema is required here (CARBON_REQUIRE_SCHEMA=1)",
    );
  });
});
