// Checks for the values users write: each returns a message naming what is wrong and what would be
// right, or undefined when the value is fine. They end up in generated YAML and in shell
// environments, so they are held to a safe alphabet, not just to what git or AWS would accept.
import { rememberedByText } from '../memo.ts';
import { withoutUrlCredentials } from '../secrets.ts';

const q = (value: string): string => JSON.stringify(value);

export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Ids name folders, ECR repositories and ECS services: long ones hit file system and AWS limits. */
export const ID_MAX_LENGTH = 100;

export function checkId(value: string): string | undefined {
  if (value.length > ID_MAX_LENGTH)
    return `${q(`${value.slice(0, 20)}…`)} is ${value.length} characters long: an id names folders and AWS resources, so it may have at most ${ID_MAX_LENGTH}`;
  if (ID_PATTERN.test(value)) return undefined;
  return `${q(value)} is not a valid id: use letters, digits, ".", "_" and "-", starting with a letter or digit`;
}

const BRANCH_ALPHABET = /^[A-Za-z0-9._/-]+$/;

/**
 * A branch name git accepts (`git check-ref-format --branch`) written only with `A-Za-z0-9._/-`.
 * git itself allows `a;b`, `$(id)` and backticks; in a generated config or a script those would
 * be shell or CircleCI parameter injection, so they are refused here.
 */
export function checkBranch(value: string): string | undefined {
  if (value === '') return 'branch name is empty';
  // Every branch of every repository is checked: the message is written only for a bad one.
  const bad = (why: string) => `${q(value)} is not a valid branch name: ${why}`;
  if (!BRANCH_ALPHABET.test(value)) {
    const unsafe = [...value].find((c) => !BRANCH_ALPHABET.test(c));
    return bad(`${q(unsafe!)} is not allowed (use letters, digits, ".", "_", "/" and "-")`);
  }
  if (value.startsWith('-')) return bad('it must not start with "-"');
  if (value.startsWith('/') || value.endsWith('/')) return bad('it must not start or end with "/"');
  if (value.includes('//')) return bad('it must not contain "//"');
  if (value.includes('..')) return bad('it must not contain ".."');
  if (value.endsWith('.')) return bad('it must not end with "."');
  if (value === 'HEAD') return bad('"HEAD" is reserved by git');
  for (const component of value.split('/')) {
    if (component.startsWith('.')) return bad('no part between "/" may start with "."');
    if (component.endsWith('.lock')) return bad('no part between "/" may end with ".lock"');
  }
  if (value.length > 200) return bad('it is longer than 200 characters');
  return undefined;
}

/** A git remote, parsed so that it can be rendered for either transport. */
export type GitLocation =
  | { kind: 'remote'; host: string; port?: number; user?: string; path: string }
  | { kind: 'file'; path: string };

const HOST =
  '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+';
const REPO_PATH = '[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)+';
const GIT_FORMS: { pattern: RegExp; parse: (m: RegExpExecArray) => GitLocation }[] = [
  {
    // The seed's form: github.com/Owner/repo.git
    pattern: new RegExp(`^(${HOST})/(${REPO_PATH})$`),
    parse: (m) => ({ kind: 'remote', host: m[1]!, path: m[2]! }),
  },
  {
    pattern: new RegExp(`^([A-Za-z0-9_][A-Za-z0-9._-]*)@(${HOST}):(${REPO_PATH})$`),
    parse: (m) => ({ kind: 'remote', user: m[1]!, host: m[2]!, path: m[3]! }),
  },
  {
    pattern: new RegExp(`^https://(${HOST})/(${REPO_PATH})$`),
    parse: (m) => ({ kind: 'remote', host: m[1]!, path: m[2]! }),
  },
  {
    pattern: new RegExp(
      `^ssh://(?:([A-Za-z0-9_][A-Za-z0-9._-]*)@)?(${HOST})(?::(\\d{1,5}))?/(${REPO_PATH})$`,
    ),
    parse: (m) => ({
      kind: 'remote',
      host: m[2]!,
      path: m[4]!,
      ...(m[1] ? { user: m[1] } : {}),
      ...(m[3] ? { port: Number(m[3]) } : {}),
    }),
  },
  {
    pattern: /^file:\/\/(\/(?:[A-Za-z0-9_][A-Za-z0-9._+-]*\/?)*)$/,
    parse: (m) => ({ kind: 'file', path: m[1]! }),
  },
];

/** Parsed URLs, remembered: each is parsed for its checks, its rendering, its keys and its rules. */
export const parseGitUrl: (value: string) => GitLocation | undefined = rememberedByText(
  parseGitUrlOnce,
  100_000,
);

function parseGitUrlOnce(value: string): GitLocation | undefined {
  for (const form of GIT_FORMS) {
    const match = form.pattern.exec(value);
    if (match) {
      const location = form.parse(match);
      if (location.path.split('/').some((part) => part === '..' || part === '.')) return undefined;
      return location;
    }
  }
  return undefined;
}

export function checkGitUrl(value: string): string | undefined {
  if (parseGitUrl(value)) return undefined;
  // A token in a URL would be copied into every generated config and job log: never echo it.
  const credentials = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*)@(.*)$/i.exec(value);
  if (credentials && (credentials[2]!.includes(':') || /^https?:/i.test(credentials[1]!)))
    return (
      `the git URL ${credentials[1]}***@${credentials[3]} has credentials in it (shown as ***): a token ` +
      'in the settings would be copied into generated configs and job logs; write the URL without ' +
      "them and give the jobs the token through a CircleCI context (git.transport: 'https' reads " +
      'CARBON_GIT_TOKEN), or use an SSH key'
    );
  const hint = value.startsWith('file://')
    ? 'a file URL needs an absolute path: file:///srv/git/repo.git'
    : 'write host/owner/repo.git (as github.com/BlackstoneStudio/Taxaroo-API-V2.git), ' +
      'git@host:owner/repo.git, https://host/owner/repo.git, ssh://host/owner/repo.git or ' +
      'file:///absolute/path, using letters, digits, ".", "_" and "-" in names';
  return `${q(value)} is not a git URL Carbon understands: ${hint}`;
}

export function checkHttpsUrl(value: string): string | undefined {
  const shown = q(withoutUrlCredentials(value));
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${shown} is not a URL: write a full https:// address`;
  }
  if (url.protocol !== 'https:') return `${shown} must be an https:// URL`;
  // It is copied into the pages Carbon writes: a password there would be published with them.
  if (url.username !== '' || url.password !== '')
    return `${shown} has credentials in it (shown as ***): write the address without them`;
  return undefined;
}

/**
 * The URL of a URL orb: https, no credentials, and only characters that cannot turn into CircleCI
 * parameters or YAML in the configs it is written into.
 */
export function checkOrbUrl(value: string): string | undefined {
  if (/^https:\/\/[A-Za-z0-9.-]+(?::\d{1,5})?(?:\/[A-Za-z0-9._~%/+-]*)?$/.test(value))
    return undefined;
  return (
    `${q(withoutUrlCredentials(value))} is not an orb URL Carbon can write into configs: an https:// address without ` +
    'credentials, query or fragment, as "https://orbs.example.com/carbon/1.2.0/orb.yml"'
  );
}

export function checkProjectKey(value: string): string | undefined {
  if (/^[A-Z][A-Z0-9_]{1,9}$/.test(value)) return undefined;
  return (
    `${q(value)} is not a Jira project key: 2 to 10 characters, upper-case letters, digits and "_", ` +
    `starting with a letter (as "TAXR")`
  );
}

export function checkBoardId(value: string | number): string | undefined {
  const text = String(value);
  if (/^[1-9][0-9]*$/.test(text)) return undefined;
  return `${q(text)} is not a Jira board id: write the board's number, as "32"`;
}

export function checkAwsRegion(value: string): string | undefined {
  if (/^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/.test(value)) return undefined;
  return `${q(value)} is not an AWS region: write one such as "us-east-1" or "eu-west-2"`;
}

export function checkAwsAccountId(value: string): string | undefined {
  if (/^\d{12}$/.test(value)) return undefined;
  return `${q(value)} is not an AWS account id: write the 12 digits, as "123456789012"`;
}

export function checkRoleArn(value: string): string | undefined {
  if (/^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/.test(value))
    return undefined;
  return `${q(value)} is not an IAM role ARN: write arn:aws:iam::123456789012:role/RoleName`;
}

const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function checkEcrRepository(value: string): string | undefined {
  if (ECR_NAME.test(value) && value.length >= 2 && value.length <= 256) return undefined;
  return (
    `${q(value)} is not an ECR repository name: lower-case letters and digits separated by ` +
    `".", "_", "-" or "/", 2 to 256 characters (as "taxaroo/taxaroo-api-v2")`
  );
}

/** ECS cluster, service and container names. */
export function checkEcsName(value: string): string | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$/.test(value)) return undefined;
  return `${q(value)} is not a valid ECS name: letters, digits, "_" and "-", at most 255 characters`;
}

/** A path inside the build workspace (or another folder): relative, no "..", safe characters only. */
export function checkRelativePath(value: string, base = 'the build workspace'): string | undefined {
  const bad = `${q(value)} is not a valid relative path`;
  if (!/^[A-Za-z0-9._/-]+$/.test(value))
    return `${bad}: use letters, digits, ".", "_", "/" and "-"`;
  if (value.startsWith('/')) return `${bad}: it must be relative to ${base}`;
  if (value.startsWith('-')) return `${bad}: it must not start with "-"`;
  if (value.split('/').includes('..')) return `${bad}: it must not contain ".."`;
  return undefined;
}

/** A file of the carbon repository (a provision hook, a template): a relative path to a file. */
export function checkCarbonFile(value: string): string | undefined {
  const problem = checkRelativePath(value, 'the root of the carbon repository');
  if (problem !== undefined) return problem;
  if (value.endsWith('/') || value.split('/').at(-1) === '.')
    return `${q(value)} names a folder: give the path of a file of the carbon repository, as "infra/up.sh"`;
  return undefined;
}

/** CloudFormation's stack names: a letter, then letters, digits and "-", 128 at most. */
export function checkStackName(value: string): string | undefined {
  if (/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(value)) return undefined;
  const why = !/^[A-Za-z]/.test(value)
    ? 'it must start with a letter'
    : value.length > 128
      ? `it is ${value.length} characters long, at most 128 are allowed`
      : 'use only letters, digits and "-"';
  return `${q(value)} is not a CloudFormation stack name: ${why} (as "taxaroo-api-develop")`;
}

/** A template parameter's name, as CloudFormation's logical ids: letters and digits. */
export function checkParameterName(value: string): string | undefined {
  if (/^[A-Za-z0-9]{1,255}$/.test(value)) return undefined;
  return `${q(value)} is not a CloudFormation parameter name: letters and digits only (as "DesiredCount")`;
}

/**
 * A template parameter's value: one line of printable text, which the job passes to
 * `aws cloudformation deploy` as `Name=value`. `<<` would start a CircleCI parameter in the config.
 */
export function checkParameterValue(value: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(value))
    return `${q(value)} has a line break or another control character: a parameter value is one line`;
  if (value.includes('<<'))
    return `${q(value)} contains "<<", which CircleCI reads as the start of a parameter in the config`;
  if (value.length > 4096) return `the value is ${value.length} characters long: at most 4096`;
  return undefined;
}

export function checkSemver(value: string): string | undefined {
  if (/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(value)) return undefined;
  return `${q(value)} is not an exact orb version: write X.Y.Z, as "1.4.0"`;
}

export function checkOrbName(value: string): string | undefined {
  if (/^[a-z0-9][a-z0-9_-]*$/.test(value)) return undefined;
  return `${q(value)} is not a valid orb namespace or name: lower-case letters, digits, "_" and "-"`;
}

export function checkContext(value: string): string | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value)) return undefined;
  return `${q(value)} is not a valid CircleCI context name: letters, digits, ".", "_" and "-"`;
}

/**
 * An SSH key fingerprint as CircleCI or `ssh-keygen -l` shows it: `SHA256:` and 43 base64
 * characters, or MD5 as 16 colon-separated hex pairs (optionally `MD5:` first). CircleCI names the
 * key file by the MD5 form; the orb's scripts find the key by either.
 */
export function checkFingerprint(value: string): string | undefined {
  if (/^(?:(?:MD5:)?[0-9a-f]{2}(?::[0-9a-f]{2}){15}|SHA256:[A-Za-z0-9+/]{43})$/.test(value))
    return undefined;
  return (
    `${q(value)} is not an SSH key fingerprint: write it as CircleCI shows it, ` +
    '"SHA256:" and 43 characters, or the MD5 form "aa:bb:…" (16 lower-case hex pairs)'
  );
}

/** An environment variable name settings may read through env(). */
export function checkEnvName(value: string): string | undefined {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) return undefined;
  return `${q(value)} is not an environment variable name: letters, digits and "_", not starting with a digit`;
}

/** Where the workspace lives, as headers name it: a repository address or a short name. */
export function checkWorkspace(value: string): string | undefined {
  if (/^[A-Za-z0-9][A-Za-z0-9._/:@-]{0,199}$/.test(value)) return undefined;
  return `${q(value)} is not a workspace address: write its repository, as "github.com/BlackstoneStudio/carbon" (letters, digits and . _ / : @ -)`;
}

/**
 * A CircleCI project slug: `gh/<owner>/<repo>` or `bb/<owner>/<repo>` for OAuth projects,
 * `circleci/<org id>/<project id>` for GitHub App ones (as Project Settings shows it).
 */
export function checkProjectSlug(value: string): string | undefined {
  if (/^(?:gh|github|bb|bitbucket|circleci)\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(value))
    return undefined;
  return (
    `${q(value)} is not a CircleCI project slug: write "circleci/<organization id>/<project id>" ` +
    'as Project Settings shows it, or "gh/<owner>/<repo>" for an OAuth project'
  );
}

/** GitHub's numeric repository id, which CircleCI's API calls a repository's external id. */
export function checkGithubId(value: string | number): string | undefined {
  if (/^[1-9][0-9]{0,19}$/.test(String(value))) return undefined;
  return `${q(String(value))} is not a GitHub repository id: the number \`gh api repos/<owner>/<repo> --jq .id\` prints`;
}
