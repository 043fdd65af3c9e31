// Cascades of OAuth projects end to end. A push is followed the way CircleCI follows it: the
// generated config says which jobs its pipeline runs (circleci-pipeline.ts), each CarbonCascade
// job runs with `carbon run` against the CircleCI stand-in (which checks each request against the
// API reference), and every pipeline it starts is followed in turn. The sample's links form
// cycles (the API checks out the App, which checks out the API): each build that checks out what
// changed is rebuilt once, and nothing is triggered twice. Then, on local repositories, the real
// CarbonBuild: a cascade whose inputs did not change retags the image it has.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CircleCiStandIn, STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
import { jobsRun } from '../helpers/circleci-pipeline.ts';
import { REPO_ROOT, runCarbon, runCarbonAsync } from '../helpers/cli.ts';
import { awsError, fixture, stableServices } from '../orb/fixtures.ts';
import { e2eWorkspace } from './workspace.ts';

let api: CircleCiStandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const SAMPLE = [
  'Taxaroo-API-V2',
  'Taxaroo-App',
  'Taxaroo-Admin',
  'Taxaroo-Clients',
  'Taxaroo-Carbon',
];
const slugOf = (id: string) => `gh/BlackstoneStudio/${id}`;

async function sampleStandIn(): Promise<CircleCiStandIn> {
  api = await new CircleCiStandIn().start();
  for (const id of SAMPLE) api.addProject(slugOf(id), 'oauth');
  return api;
}

interface Pipeline {
  repository: string;
  branch: string;
  parameters: Record<string, string>;
}

/**
 * Follows a push to `repository` at `branch` through every pipeline it starts; returns each
 * pipeline with the jobs it ran, in order.
 */
async function follow(api: CircleCiStandIn, repository: string, branch: string) {
  const queue: Pipeline[] = [{ repository, branch, parameters: {} }];
  const ran: string[] = [];
  while (queue.length > 0) {
    expect(ran.length, `a storm: ${ran.join('; ')}`).toBeLessThan(20);
    const pipeline = queue.shift()!;
    const config = readFileSync(
      join(REPO_ROOT, 'generated/taxaroo', pipeline.repository, '.circleci/config.yml'),
      'utf8',
    );
    const jobs = jobsRun(config, pipeline);
    const cause = pipeline.parameters['carbon_cascade'];
    ran.push(
      `${pipeline.repository}@${pipeline.branch}${cause ? ` (${cause})` : ''}: ${jobs.map((job) => job.job).join(', ') || 'nothing'}`,
    );
    for (const job of jobs.filter((candidate) => candidate.job === 'carbon/CarbonCascade')) {
      const before = new Map(SAMPLE.map((id) => [id, api.pipelines(slugOf(id)).length]));
      const result = await runCarbonAsync(
        [
          'run',
          `taxaroo/${pipeline.repository}`,
          job.workflow,
          '--job',
          job.job,
          '--param',
          `api_url=${api.url}`,
          '--root',
          REPO_ROOT,
        ],
        { env: { CIRCLE_TOKEN: STAND_IN_TOKEN } },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      for (const id of SAMPLE)
        for (const started of api.pipelines(slugOf(id)).slice(before.get(id)))
          queue.push({
            repository: id,
            branch: started.branch!,
            parameters: started.parameters as Record<string, string>,
          });
    }
  }
  expect(api.refused).toEqual([]);
  return ran;
}

describe('OAuth cascades of the sample', () => {
  it('a push to the App rebuilds the API once, which does not rebuild the App back (a cycle)', async () => {
    const api = await sampleStandIn();
    expect(await follow(api, 'Taxaroo-App', 'develop')).toEqual([
      'Taxaroo-App@develop: carbon/CarbonBuild, carbon/CarbonCascade',
      'Taxaroo-API-V2@develop (taxaroo/Taxaroo-App@develop): carbon/CarbonBuild',
    ]);
  });

  it('a push to the API rebuilds the App and the Admin once each; neither rebuilds the API', async () => {
    const api = await sampleStandIn();
    expect(await follow(api, 'Taxaroo-API-V2', 'develop')).toEqual([
      'Taxaroo-API-V2@develop: carbon/CarbonBuild, carbon/CarbonCascade',
      'Taxaroo-App@develop (taxaroo/Taxaroo-API-V2@develop): carbon/CarbonBuild',
      'Taxaroo-Admin@develop (taxaroo/Taxaroo-API-V2@develop): carbon/CarbonBuild',
    ]);
  });

  it('a push to the carbon repository, which builds nothing, rebuilds every enabled build once; the paused one not', async () => {
    const api = await sampleStandIn();
    expect(await follow(api, 'Taxaroo-Carbon', 'develop')).toEqual([
      'Taxaroo-Carbon@develop: carbon/CarbonCascade',
      'Taxaroo-API-V2@develop (taxaroo/Taxaroo-Carbon@develop): carbon/CarbonBuild',
      'Taxaroo-App@develop (taxaroo/Taxaroo-Carbon@develop): carbon/CarbonBuild',
      'Taxaroo-Admin@develop (taxaroo/Taxaroo-Carbon@develop): carbon/CarbonBuild',
    ]);
    // Each request as the API reference has it: the branch the dependent builds, the parameter.
    expect(api.pipelines(slugOf('Taxaroo-API-V2'))).toMatchObject([
      { branch: 'develop', parameters: { carbon_cascade: 'taxaroo/Taxaroo-Carbon@develop' } },
    ]);
  });

  it('a push to a branch nothing checks out starts nothing', async () => {
    const api = await sampleStandIn();
    expect(await follow(api, 'Taxaroo-App', 'feature/x')).toEqual([
      'Taxaroo-App@feature/x: nothing',
    ]);
    expect(api.requests).toEqual([]);
  });

  it('carbon run rehearses the trigger step, showing what it would send where', () => {
    const dry = runCarbon([
      'run',
      'taxaroo/Taxaroo-Carbon',
      'carbon-cascade-develop',
      '--dry-run',
      '--root',
      REPO_ROOT,
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('carbon/CarbonCascade (CircleCI image cimg/base:2026.09)');
    expect(dry.stdout).toContain('1. run: Rebuild what checks out taxaroo/Taxaroo-Carbon@develop');
    expect(dry.stdout).toContain('CARBON_CASCADE_API_URL=https://circleci.com/api/v2');
    // Each dependent on its own line, aligned under the first.
    expect(dry.stdout).toContain(
      '     CARBON_CASCADE_DEPENDENTS=gh/BlackstoneStudio/Taxaroo-API-V2 develop\n' +
        '                               gh/BlackstoneStudio/Taxaroo-App develop\n',
    );
  });
});

/** What `aws --version` prints in cimg/aws:2026.04.1. */
const CURRENT_AWS_CLI = 'aws-cli/2.34.30 Python/3.13.11 Linux/6.8.0 exe/x86_64.ubuntu.24\n';

describe('a cascade, built for real', () => {
  it('retags when the inputs did not change, and builds when they did', async () => {
    const w = e2eWorkspace();
    // The API checks out the App at release: a push there rebuilds it, through this token.
    writeFileSync(
      join(w.root, 'carbon.config.ts'),
      "export default { aws: { accountId: '123456789012' }, circleci: { context: 'e2e', cascadeContext: 'e2e-circleci', projects: { 'acme/Api': 'gh/acme/api' } } };\n",
    );
    const generated = runCarbon(['generate', '--root', w.root]);
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stderr).toBe('');
    w.commitFiles(w.repos.api, 'main', { 'server.js': 'console.log("api")\n' });
    w.commitFiles(w.repos.carbon, 'develop', { 'Api/Dockerfile': 'FROM node:20\nCOPY . /srv\n' });
    w.commitFiles(w.repos.app, 'release', { 'index.html': '<h1>app 1</h1>\n' });
    const described = { match: ['ecr', 'describe-images'], times: 1 };
    w.scenario({
      aws: [
        { match: ['--version'], stdout: CURRENT_AWS_CLI },
        {
          match: ['sts', 'assume-role-with-web-identity'],
          stdout: fixture('assume-role-with-web-identity'),
        },
        { match: ['ecr', 'describe-repositories'], stdout: fixture('describe-repositories') },
        // ECR has no image of the first inputs, then has it; then none of the next inputs.
        { ...described, ...awsError('ImageNotFoundException') },
        { ...described, stdout: fixture('describe-images') },
        { ...described, ...awsError('ImageNotFoundException') },
        { match: ['ecr', 'describe-images'], stdout: fixture('describe-images') },
        { match: ['ecr', 'get-login-password'], stdout: 'not-a-real-password\n' },
        { match: ['ecr', 'batch-get-image'], stdout: fixture('batch-get-image') },
        { match: ['ecr', 'put-image'], stdout: fixture('put-image') },
        { match: ['ecs', 'describe-services'], stdout: stableServices() },
      ],
    });
    api = await new CircleCiStandIn().start();
    api.addProject('gh/acme/api', 'oauth');

    /** The API's build, as a pipeline runs it; what it asked ECR for and whether it built. */
    const buildApi = async (parameters: Record<string, string>) => {
      const config = readFileSync(join(w.root, 'generated/acme/Api/.circleci/config.yml'), 'utf8');
      // Pushed or cascaded, the pipeline on main runs the build (the API triggers nothing).
      expect(jobsRun(config, { branch: 'main', parameters }).map((job) => job.job)).toEqual([
        'carbon/CarbonBuild',
      ]);
      const before = w.calls().length;
      const workdir = join(mkdtempSync(join(tmpdir(), 'carbon-e2e-')), 'work');
      const result = w.run(
        // What a cascade builds is the question here; the rollout has tests of its own.
        ['acme/Api', 'carbon-build', '--workdir', workdir, '--param', 'deploy=none'],
        { CIRCLE_OIDC_TOKEN_V2: 'e2e-oidc-token' },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const calls = w.calls().slice(before);
      return {
        tag: calls.find((c) => c[2] === 'describe-images')?.find((a) => a.startsWith('imageTag=')),
        built: calls.some((c) => c[0] === 'docker' && c[1] === 'buildx' && c[2] === 'build'),
        retagged: calls.filter((c) => c[2] === 'put-image').length,
      };
    };
    /** A push to the App's release: its pipeline's cascade, run against the stand-in. */
    const pushApp = async () => {
      const config = readFileSync(join(w.root, 'generated/acme/App/.circleci/config.yml'), 'utf8');
      expect(jobsRun(config, { branch: 'release' }).map((job) => job.job)).toEqual([
        'carbon/CarbonCascade',
      ]);
      const before = api!.pipelines('gh/acme/api').length;
      const result = await runCarbonAsync(
        [
          'run',
          'acme/App',
          'carbon-cascade-release',
          '--param',
          `api_url=${api!.url}`,
          '--root',
          w.root,
        ],
        { env: { CIRCLE_TOKEN: STAND_IN_TOKEN } },
      );
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const started = api!.pipelines('gh/acme/api').slice(before);
      expect(started).toEqual([
        expect.objectContaining({
          branch: 'main',
          parameters: { carbon_cascade: 'acme/App@release' },
        }),
      ]);
      return started[0]!.parameters as Record<string, string>;
    };

    // The API and the App pushed together: the API's own pipeline builds with the App's commit...
    const first = await buildApi({});
    expect(first.built).toBe(true);
    // ...then the App's cascade rebuilds it: same commits, same inputs, so it only retags.
    const cascaded = await buildApi(await pushApp());
    expect(cascaded.tag).toBe(first.tag);
    expect(cascaded.built).toBe(false);
    expect(cascaded.retagged).toBe(2);
    // A change to the App: its cascade builds the API with it.
    w.commitFiles(w.repos.app, 'release', { 'index.html': '<h1>app 2</h1>\n' });
    const changed = await buildApi(await pushApp());
    expect(changed.tag).not.toBe(first.tag);
    expect(changed.built).toBe(true);
    expect(api.refused).toEqual([]);
    // Three builds and two cascades, each a Carbon process: more than one test's usual time.
  }, 120_000);
});
