// The site's page model for a workspace on disk, and a second workspace unlike the sample: other
// hosts, https transport, legacy scheduled workflows, Jira links, a carbon repository beside the
// project, names that need escaping.
import { join } from 'node:path';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { siteModel, type Site } from '../../src/site/model.ts';

// A Thursday, 15:40 UTC.
export const NOW = new Date('2026-11-26T15:40:00Z');

export async function modelOf(root: string, out = join(root, 'site')): Promise<Site> {
  const compiled = await compileSettings(root);
  if (!compiled.workspace) {
    throw new Error(`the workspace has errors: ${JSON.stringify(compiled.diagnostics, null, 2)}`);
  }
  return siteModel({ workspace: compiled.workspace, root, out, now: NOW });
}

export const OTHER_WORKSPACE: Record<string, string> = {
  'carbon.config.ts': `export default {
  aws: { accountId: '210987654321', region: 'eu-west-1' },
  circleci: { scheduling: 'scheduled-workflows' },
  git: { transport: 'https' },
  jira: { baseUrl: 'https://jira.example.com/' },
};
`,
  'projects/acme.ts': `export const acme = {
  id: 'acme',
  name: 'Acme',
  projectKey: 'ACME',
  boardId: 7,
  repositories: [
    {
      id: 'web',
      name: 'Acme Web',
      build: { branch: 'main', carbonRepo: 'infra', branches: { api: 'release/2.0' } },
      sync: [{ direction: 'origin', cron: '15 6 * * 1-5', branches: { origin: 'main', local: 'release' } }],
      local: { git: 'git@bitbucket.org:acme-agency/web.git', defaultBranch: 'main' },
      origin: { git: 'https://gitlab.com/acme/web.git', defaultBranch: 'main' },
    },
    {
      id: 'api',
      name: 'Acme API',
      build: { enabled: false, branch: 'main', carbonRepo: 'infra', ecs: { deploy: 'none' } },
      local: { git: 'file:///srv/git/api.git', defaultBranch: 'main' },
    },
  ],
};
`,
  'projects/beta.ts': `export default {
  id: 'beta',
  name: 'Beta <Co> & "Sons"',
  avatar: 'https://cdn.example.com/beta.png',
  repositories: [{ id: 'site', name: 'Beta site', local: { git: 'github.com/beta/site.git' } }],
};
`,
};
