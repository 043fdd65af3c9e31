// The resolved model: everything emit needs, with every cross-repository link followed, every
// URL rendered and every convention applied. Plain data; no settings shapes leak past this point.
import type { Config } from '../settings/schema.ts';
import type { Source } from '../settings/parse.ts';

export interface Workspace {
  config: Config;
  configSource?: Source;
  projects: ResolvedProject[];
}

export interface ResolvedProject {
  id: string;
  name: string;
  source: Source;
  /** What people see of the project and nothing runs on: shown by the overview site. */
  display: { projectKey?: string; boardId?: string; avatar?: string; hero?: string };
  repositories: ResolvedRepository[];
}

export interface ResolvedRepository {
  id: string;
  /** Position in the project's written `repositories` list. */
  index: number;
  name: string;
  projectId: string;
  /** The agency's repository, where CircleCI runs. */
  local: { url: string; defaultBranch: string };
  /** The client's repository. */
  origin?: { url: string; defaultBranch: string };
  build?: BuildPlan;
  syncs: SyncPlan[];
  /**
   * OAuth projects: the builds that pushes to a branch of this repository rebuild, which its own
   * pipeline triggers (after its build, when the branch is its build branch). GitHub App projects
   * have none: CircleCI's cross-repo triggers start those builds.
   */
  cascades: Cascade[];
}

/** A repository cloned into the build workspace. */
export interface Checkout {
  repository: string;
  url: string;
  branch: string;
  /** Folder relative to the build workspace. */
  path: string;
  /** Fingerprint of the SSH key that opens it (git.sshKeys), when one is configured. */
  sshKey?: string;
}

export type DeployMode = 'ecs_service' | 'hook' | 'none';

export interface BuildPlan {
  enabled: boolean;
  strategy: string;
  job: string;
  /** Pushes to this branch run the build. */
  branch: string;
  /** This repository's own checkout, relative to the build workspace. */
  path: string;
  carbon: Checkout;
  linked: Checkout[];
  aws: { region: string; accountId: string; roleArn: string };
  image: { ecrRepository: string; dockerfile: string; context: string };
  deploy: { mode: DeployMode; cluster: string; service: string; container: string; hook?: string };
  /** The carbon repository's environment step, run after the push and before the deploy. */
  provision?: ProvisionPlan;
  /** What rebuilds this build when it changes (cascades): none when cascades are off for it. */
  rebuiltBy: CascadeSource[];
}

/** A checkout whose pushes rebuild a build: a repository, at the branch the build checks it out at. */
export interface CascadeSource {
  repository: string;
  branch: string;
  /** Its git URL, as configs write it. */
  url: string;
  /** Whether it is the build's carbon repository. */
  carbon: boolean;
  /** Its default branch, when it is a repository of the project. */
  defaultBranch?: string;
}

/** The builds a push to one branch of a repository rebuilds (OAuth projects). */
export interface Cascade {
  branch: string;
  dependents: CascadeTarget[];
}

export interface CascadeTarget {
  /** The dependent's repository id. */
  repository: string;
  /** The CircleCI project its pipeline runs in. */
  slug: string;
  /** Its build branch: the branch the triggered pipeline runs on. */
  branch: string;
}

export type ProvisionPlan =
  | { kind: 'hook'; hook: string }
  | {
      kind: 'cloudformation';
      /** Relative to the carbon repository's root. */
      template: string;
      stack: string;
      /** The template's parameters besides ImageUri, which Carbon sets. */
      parameters: Record<string, string>;
      capabilities: string[];
    };

export interface SyncEnd {
  side: 'origin' | 'local';
  url: string;
  branch: string;
  sshKey?: string;
}

export interface SyncPlan {
  /** Schedule name, unique in its repository: it gates the workflow and names the schedule. */
  name: string;
  direction: 'local' | 'origin';
  cron: string;
  from: SyncEnd;
  to: SyncEnd;
  /** Index of the rule in the written `sync` list. */
  index: number;
}
