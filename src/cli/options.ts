// Every command's options, by name in the order `--help` lists them: commands.ts shows them and
// parses with them, and each command module's context is typed from its command's table, so that a
// command reads only options it declares, with no cast. A table of its own, not inside commands.ts,
// so that the command modules can take its types without importing the module that imports them.
import type { OptionSpec, Options } from './args.ts';

export const ROOT_OPTION = {
  type: 'string',
  value: 'DIR',
  description:
    'The workspace: its projects/, carbon.config.ts, generated/ and orb.yml. Default: the nearest folder at or above the current one that has carbon.config.ts or a settings module in projects/.',
} as const satisfies OptionSpec;

export const SCHEMA_OPTION = {
  type: 'string',
  value: 'FILE',
  description:
    "CircleCI's JSON schema. Default: $CARBON_CIRCLECI_SCHEMA, else ../shared/circleci/schema.json beside Carbon, else the copy `carbon fetch-schema` keeps; without any, Carbon's own checks only.",
} as const satisfies OptionSpec;

export const HELP_OPTION = {
  type: 'boolean',
  short: 'h',
  description: 'Show this help.',
} as const satisfies OptionSpec;

/** generate and check. */
export const BUILD_OPTIONS = {
  root: ROOT_OPTION,
  schema: SCHEMA_OPTION,
  'allow-empty': {
    type: 'boolean',
    description:
      'Accept an empty projects/: generate then removes every generated file. Without it, an empty projects/ is refused.',
  },
  help: HELP_OPTION,
} as const satisfies Options;

export const VALIDATE_OPTIONS = {
  root: ROOT_OPTION,
  schema: SCHEMA_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;

export const RUN_OPTIONS = {
  'dry-run': {
    type: 'boolean',
    description: 'Print the processed steps and their commands; run nothing.',
  },
  job: {
    type: 'string',
    value: 'NAME',
    description: 'The job to run, when the workflow has several (default: its first).',
  },
  param: {
    type: 'string',
    value: 'K=V',
    multiple: true,
    description: 'Override a job parameter (repeatable), as --param deploy=none.',
  },
  branch: {
    type: 'string',
    value: 'NAME',
    description:
      "CIRCLE_BRANCH and the branch checked out. Default: the workflow's branch filter, else the repository's default branch.",
  },
  commit: {
    type: 'string',
    value: 'SHA',
    description: "Check out this commit instead of the branch's head.",
  },
  workdir: {
    type: 'string',
    value: 'DIR',
    description: 'Run in DIR (new or empty) and keep it. Default: a temporary folder.',
  },
  keep: { type: 'boolean', description: 'Keep the temporary working folder.' },
  root: ROOT_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;

export const SITE_OPTIONS = {
  out: {
    type: 'string',
    value: 'DIR',
    description: 'Where to write the site. Default: site/ in the workspace.',
  },
  serve: {
    type: 'boolean',
    description: 'Serve the site on 127.0.0.1 until Ctrl-C, rebuilt on every settings change.',
  },
  root: ROOT_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;

export const FETCH_SCHEMA_OPTIONS = { help: HELP_OPTION } as const satisfies Options;

export const PLAN_OPTIONS = {
  terraform: {
    type: 'string',
    value: 'DIR',
    description:
      'Write DIR/carbon.tf.json (GitHub App projects) for the official CircleCI Terraform provider instead of reading CircleCI.',
  },
  root: ROOT_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;

export const APPLY_OPTIONS = {
  yes: {
    type: 'boolean',
    description: 'Delete without asking (needed when stdin is not a terminal).',
  },
  root: ROOT_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;

export const PUBLISH_OPTIONS = {
  'via-branch': {
    type: 'string',
    value: 'NAME',
    description:
      "Push to the review branch NAME (NAME-<branch> when a repository has several branches) instead of the branch itself. A review branch is Carbon's: one commit of Carbon's on the branch it reviews, replaced when that branch moves; an existing branch that holds anything else is left alone (exit 2).",
  },
  root: ROOT_OPTION,
  schema: SCHEMA_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;

export const INIT_OPTIONS = {
  force: {
    type: 'boolean',
    description: 'Replace files that exist (and allow a folder named projects/).',
  },
  package: {
    type: 'string',
    value: 'SPEC',
    description:
      "How package.json installs Carbon: an npm spec such as github:owner/carbon#v1.0.0. Default: the spec the running Carbon was installed with, else file: and Carbon's folder (this machine only). In an existing workspace, --package alone changes that in package.json and nothing else.",
  },
  'orb-namespace': {
    type: 'string',
    value: 'NAME',
    description:
      "Your organization's CircleCI orb namespace: configs reference the orb published there (carbon apply publishes it). Without it, configs carry the orb inline.",
  },
  help: HELP_OPTION,
} as const satisfies Options;

export const NEW_OPTIONS = {
  carbon: {
    type: 'string',
    value: 'URL',
    description:
      'The carbon repository (added to the repositories when not among the URLs). Default: the one whose name ends in "carbon".',
  },
  origin: {
    type: 'string',
    value: 'REPO=URL',
    multiple: true,
    description:
      "The client's repository of one of the repositories (by id or git URL), repeatable: --origin Acme-API=github.com/acme/api.git.",
  },
  'no-build': {
    type: 'string',
    value: 'REPO',
    multiple: true,
    description:
      'A repository (by id or git URL) that only syncs: no build is written for it. Repeatable.',
  },
  branch: {
    type: 'string',
    value: 'NAME',
    description: 'Default branch of the repositories, and the branch builds run on. Default: main.',
  },
  name: {
    type: 'string',
    value: 'TEXT',
    description:
      'The project\'s name for people. Default: made from the id ("big-client": "Big client").',
  },
  force: {
    type: 'boolean',
    description: 'Replace projects/<project>.ts when it exists.',
  },
  root: ROOT_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;

export const LS_OPTIONS = {
  json: { type: 'boolean', description: 'Print JSON (an array of projects) instead.' },
  root: ROOT_OPTION,
  help: HELP_OPTION,
} as const satisfies Options;
