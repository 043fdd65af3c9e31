// cascade.sh against the CircleCI stand-in: each dependent triggered once through API v2
// (triggerPipeline, its body checked against the API reference's schema), the token only in the
// Circle-Token header, a 429 waited out, nothing else sent twice, and every dependent tried.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CircleCiStandIn, STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
import { createSandbox, type Sandbox } from './harness.ts';

let api: CircleCiStandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const SHA = '0123456789abcdef0123456789abcdef01234567';

async function world() {
  api = await new CircleCiStandIn().start();
  api.addProject('gh/acme/api', 'oauth');
  api.addProject('gh/acme/web', 'oauth');
  const sandbox = createSandbox();
  const env = {
    CARBON_CASCADE_FROM: 'acme/App@release',
    CARBON_CASCADE_DEPENDENTS: 'gh/acme/api main\n\ngh/acme/web develop\n',
    CARBON_CASCADE_API_URL: api.url,
    CIRCLE_TOKEN: STAND_IN_TOKEN,
    CIRCLE_SHA1: SHA,
  };
  return { api, sandbox, env };
}

/** A curl that records its arguments, then runs the real one. */
function recordCurl(sandbox: Sandbox): () => string[][] {
  const log = join(sandbox.root, 'curl.log');
  writeFileSync(log, '');
  const wrapper = join(sandbox.bin, 'curl');
  writeFileSync(
    wrapper,
    `#!/usr/bin/env bash\nprintf '%s\\0' "$@" >>'${log}'\nprintf '\\n' >>'${log}'\nPATH="\${PATH#*:}" exec curl "$@"\n`,
  );
  chmodSync(wrapper, 0o755);
  return () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\0').filter(Boolean));
}

describe('cascade.sh', () => {
  it('triggers each dependent once, on its branch, marked as a cascade; the token only in its header', async () => {
    const { api, sandbox, env } = await world();
    const curl = recordCurl(sandbox);
    const result = await sandbox.run('cascade.sh', { env });
    expect(result.code, result.stderr).toBe(0);
    expect(api.refused).toEqual([]);
    const cascade = { carbon_cascade: 'acme/App@release 0123456789ab' };
    expect(api.pipelines('gh/acme/api')).toMatchObject([{ branch: 'main', parameters: cascade }]);
    expect(api.pipelines('gh/acme/web')).toMatchObject([
      { branch: 'develop', parameters: cascade },
    ]);
    expect(api.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /project/gh/acme/api/pipeline',
      'POST /project/gh/acme/web/pipeline',
    ]);
    expect(result.stdout).toContain('rebuilt gh/acme/api at main: pipeline 1');
    expect(result.stdout).toContain('acme/App@release rebuilt 2 build(s) that check it out');
    const argv = curl();
    expect(argv).toHaveLength(2);
    expect(argv.flat().join(' ')).not.toContain(STAND_IN_TOKEN);
    expect(result.stdout + result.stderr).not.toContain(STAND_IN_TOKEN);
  });

  it('waits out a 429 as Retry-After says, and sends nothing else twice: a 500 is a failure', async () => {
    const { api, sandbox, env } = await world();
    api.inject({ method: 'POST', path: /api\/pipeline$/, status: 429, retryAfter: '1' });
    api.inject({ method: 'POST', path: /web\/pipeline$/, status: 500 });
    const result = await sandbox.run('cascade.sh', { env });
    expect(result.code).toBe(1);
    expect(api.pipelines('gh/acme/api')).toHaveLength(1);
    expect(api.pipelines('gh/acme/web')).toHaveLength(0);
    expect(api.requests.map((request) => [request.path, request.status])).toEqual([
      ['/project/gh/acme/api/pipeline', 429],
      ['/project/gh/acme/api/pipeline', 201],
      ['/project/gh/acme/web/pipeline', 500],
    ]);
    expect(result.stdout).toContain('CircleCI asks to slow down; trying again in 1 s');
    expect(result.stderr).toContain(
      'gh/acme/web at develop was not rebuilt: CircleCI answered 500 (Internal server error.)',
    );
    expect(result.stderr).toContain('not every build that checks out acme/App@release was rebuilt');
  });

  it('tries every dependent, and says what a refusal means', async () => {
    const { api, sandbox, env } = await world();
    const result = await sandbox.run('cascade.sh', {
      env: { ...env, CARBON_CASCADE_DEPENDENTS: 'gh/acme/gone main\ngh/acme/web develop\n' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'gh/acme/gone at main was not rebuilt: CircleCI has no such project, or the token cannot see it (Project not found)',
    );
    expect(api.pipelines('gh/acme/web')).toHaveLength(1);
  });

  it('refuses to start without a token, or to send it in clear, and skips a line it cannot read', async () => {
    const { api, sandbox, env } = await world();
    const tokenless = await sandbox.run('cascade.sh', { env: { ...env, CIRCLE_TOKEN: '' } });
    expect(tokenless.code).toBe(1);
    expect(tokenless.stderr).toContain(
      'CIRCLE_TOKEN is empty: there is no CircleCI token to trigger the dependents with.',
    );
    expect(tokenless.stderr).toContain('the context that circleci.cascadeContext names');
    const clear = await sandbox.run('cascade.sh', {
      env: { ...env, CARBON_CASCADE_API_URL: 'http://circleci.example.com/api/v2' },
    });
    expect(clear.code).toBe(1);
    expect(clear.stderr).toContain('is not an https:// URL: the token would travel in clear');
    const odd = await sandbox.run('cascade.sh', {
      env: { ...env, CARBON_CASCADE_DEPENDENTS: 'gh/acme/api\ngh/acme/web develop extra\n' },
    });
    expect(odd.code).toBe(1);
    expect(odd.stderr).toContain('skipped "gh/acme/api": not "<project slug> <branch>"');
    expect(api.requests).toEqual([]);
  });
});
