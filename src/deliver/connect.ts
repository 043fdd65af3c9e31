// How Carbon reaches CircleCI, from the environment: the token (CIRCLE_TOKEN, as CircleCI's CLI
// and Terraform provider read it), the API root (CARBON_CIRCLECI_URL, CircleCI cloud by default;
// the orb registry is API v3 on the same host, at /api/v3, where the CircleCI CLI reaches it), the
// time each request may take (CARBON_CIRCLECI_TIMEOUT, seconds) and CARBON_DEBUG.
import { UserError } from '../errors.ts';
import { hasUrlCredentials, withoutUrlCredentials } from '../secrets.ts';
import { CircleCiApi } from './circleci/api.ts';
import { Http } from './circleci/http.ts';
import { OrbRegistry } from './circleci/orbs.ts';

export const DEFAULT_API = 'https://circleci.com/api/v2';

type Hooks = { debug?: (line: string) => void; onWait?: (ms: number, why: string) => void };

export function connect(env: NodeJS.ProcessEnv, hooks: Hooks = {}): CircleCiApi {
  return new CircleCiApi(http(env, hooks, false));
}

/** The orb registry of the same CircleCI, with the same token. */
export function connectOrbs(env: NodeJS.ProcessEnv, hooks: Hooks = {}): OrbRegistry {
  return new OrbRegistry(http(env, hooks, true));
}

function http(env: NodeJS.ProcessEnv, hooks: Hooks, v3: boolean): Http {
  const token = env['CIRCLE_TOKEN'] ?? '';
  if (token === '')
    throw new UserError(
      'CIRCLE_TOKEN is not set: carbon reads and changes CircleCI with a personal API token (CircleCI: User Settings > Personal API Tokens); export CIRCLE_TOKEN=… and run again',
    );
  // Never echoed: a token with a newline would otherwise come back in fetch's own error.
  if (!/^[\x21-\x7e]+$/.test(token))
    throw new UserError(
      'CIRCLE_TOKEN holds spaces, line breaks or other characters no API token has: copy the token again',
    );
  const baseUrl = (env['CARBON_CIRCLECI_URL'] || DEFAULT_API).replace(/\/+$/, '');
  const shown = JSON.stringify(withoutUrlCredentials(baseUrl));
  if (!/^https?:\/\/[^\s/]+/.test(baseUrl))
    throw new UserError(
      `CARBON_CIRCLECI_URL ${shown} is not an http(s) URL: leave it unset for ${DEFAULT_API}`,
    );
  // fetch refuses such a URL (and its error would print it whole); the token goes in a header.
  if (hasUrlCredentials(baseUrl))
    throw new UserError(
      `CARBON_CIRCLECI_URL ${shown} has credentials in it (shown as ***): write the URL without them; CircleCI takes the token from CIRCLE_TOKEN`,
    );
  const timeout = Number(env['CARBON_CIRCLECI_TIMEOUT'] || 30);
  if (!(timeout > 0 && timeout <= 600))
    throw new UserError('CARBON_CIRCLECI_TIMEOUT is the seconds a request may take: 1 to 600');
  return new Http({
    // API v3's paths, as the CLI writes them, start at the host: /api/v3/...
    baseUrl: v3 ? baseUrl.replace(/\/api\/v2$/, '') : baseUrl,
    token,
    dialect: v3 ? 'v3' : 'v2',
    timeoutMs: timeout * 1000,
    maxAttempts: 5,
    maxWaitMs: 60_000,
    backoffMs: 1000,
    maxConcurrent: 8,
    userAgent: 'carbon',
    ...(hooks.debug ? { debug: hooks.debug } : {}),
    ...(hooks.onWait ? { onWait: hooks.onWait } : {}),
  });
}
