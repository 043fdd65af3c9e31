// Cascades of GitHub App projects (resolve/cascade.ts): a build is rebuilt when what it checks out
// changes by a cross-repo trigger on its own pipeline, whose event source is the repository it
// checks out. The pipeline then checks out the build's repository at `checkout_ref` (its build
// branch) and reads its config at `config_ref`: CircleCI requires both refs whenever the event
// source is another repository than the checkout or config source (the config ref is omitted when
// the event source is the workspace's own repository).
//
// CircleCI's triggers filter branches only through their preset (API reference createTrigger;
// provider 0.4.x `event_preset`): `default-branch-pushes` when the build checks the repository out
// at its default branch; `all-pushes` otherwise, and a push to another branch of it then runs the
// build with the same inputs, which retags the image it has.
import type { Config as Settings } from '../settings/schema.ts';
import type { CrossRepoTriggerBody } from './circleci/api.ts';
import { crossRepoKey } from './ownership.ts';
import { githubIdOfUrl, type Target } from './target.ts';

export interface CrossRepoTriggers {
  triggers: CrossRepoTriggerBody[];
  /** What each trigger rebuilds on, in words (`pushes to Taxaroo-App develop`), by its key. */
  labels: Record<string, string>;
}

/** The cross-repo triggers of a repository's pipeline: one per checkout that rebuilds its build. */
export function crossRepoTriggers(
  target: Target,
  settings: Settings,
  problems: string[],
): CrossRepoTriggers {
  const build = target.repository.build;
  const wanted: CrossRepoTriggers = { triggers: [], labels: {} };
  if (!build?.enabled) return wanted;
  const configRepository = settings.circleci.configRepository!;
  for (const source of build.rebuiltBy) {
    const id = githubIdOfUrl(source.url, settings);
    if (id === undefined) {
      problems.push(
        `${target.key}: no GitHub id for ${source.url} (${source.repository}, whose pushes to ${source.branch} rebuild it): add it to circleci.githubIds (\`gh api repos/<owner>/<repo> --jq .id\` prints it), or leave ${source.repository} out of build.rebuildOn`,
      );
      continue;
    }
    wanted.triggers.push({
      event_source: { provider: 'github_app', repo: { external_id: id } },
      event_preset: source.branch === source.defaultBranch ? 'default-branch-pushes' : 'all-pushes',
      checkout_ref: build.branch,
      ...(id === configRepository.githubId ? {} : { config_ref: configRepository.ref }),
      disabled: false,
    });
    wanted.labels[crossRepoKey(id)] = `pushes to ${source.repository} ${source.branch}`;
  }
  return wanted;
}
