// Secrets Carbon may meet in a text it prints: the CircleCI token (which a server may echo) and the
// credentials of a URL (`https://user:password@host`, `https://token@host`, from an environment
// variable, from git's own messages). Redact before cutting a text short: a cut made first can
// leave most of a secret in place, where the whole of it would have been recognised.

/**
 * The text with the credentials of every URL in it replaced by `***`: the password of
 * `user:password@` (the user stays, to say which account), and the whole of the user part of an
 * http(s) URL, where a token stands for a user. `ssh://git@host` names no secret and is kept.
 */
export function withoutUrlCredentials(text: string): string {
  return text.replace(
    /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@]*)@/gi,
    (whole, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:***@`;
      return /^https?:\/\/$/i.test(scheme) ? `${scheme}***@` : whole;
    },
  );
}

/** Whether a URL has credentials that withoutUrlCredentials would hide. */
export function hasUrlCredentials(url: string): boolean {
  return withoutUrlCredentials(url) !== url;
}

/** The text with every occurrence of `secret` replaced by `[name]`, then URL credentials hidden. */
export function redact(text: string, secret: string, name: string): string {
  const without = secret === '' ? text : text.split(secret).join(`[${name}]`);
  return withoutUrlCredentials(without);
}
