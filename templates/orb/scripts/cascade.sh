#!/usr/bin/env bash
set -euo pipefail
# cascade.sh: trigger the pipelines of the builds that check out what this pipeline built, through
# CircleCI's API v2 (POST /project/{project-slug}/pipeline, triggerPipeline): each on the branch it
# builds, with the pipeline parameter carbon_cascade set. Carbon's configs run this job only where
# carbon_cascade is empty, so a triggered build never triggers others: a cascade never cascades.
# Every dependent is tried; the script fails when any trigger failed.
#
# Reads (environment):
#   CARBON_HELPERS             required  scripts/helpers.sh, which the step includes
#   CARBON_CASCADE_FROM        required  what changed (project/repository@branch): the value of
#                                        carbon_cascade, followed by the first 12 characters of
#                                        CIRCLE_SHA1 when it is set
#   CARBON_CASCADE_DEPENDENTS  required  the pipelines to trigger, one per line: "<project slug> <branch>"
#                                        (gh/owner/repo develop); blank lines are ignored
#   CARBON_CASCADE_TOKEN_ENV   optional  NAME of the variable holding a CircleCI personal API token
#                                        that may trigger those pipelines. Default: CIRCLE_TOKEN
#   CARBON_CASCADE_API_URL     optional  CircleCI API v2 root. Default: https://circleci.com/api/v2;
#                                        http:// only to 127.0.0.1 or localhost (a rehearsal's stand-in)
#   CIRCLE_SHA1                optional  this pipeline's commit
# Writes: a scratch folder (mode 700) for each request's body and answer, removed on exit.
# Runs, per dependent: curl --request POST <api>/project/<slug>/pipeline with the body
#   {"branch": "<branch>", "parameters": {"carbon_cascade": "<what changed>"}}, the token in the
#   Circle-Token header read from stdin (never in argv or output). A 429 (rate limited: nothing was
#   started) is sent again after its Retry-After, at most 60 s, twice at most; nothing else is, so a
#   request CircleCI may have carried out is never sent twice.
# Prints: each dependent with the number of the pipeline CircleCI started, or why it did not.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name cascade.sh

require CARBON_CASCADE_FROM 'what changed, as project/repository@branch'
require CARBON_CASCADE_DEPENDENTS 'the pipelines to trigger, one "<project slug> <branch>" per line'
token_env="${CARBON_CASCADE_TOKEN_ENV:-CIRCLE_TOKEN}"
[[ "$token_env" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
  fail "CARBON_CASCADE_TOKEN_ENV ($token_env) is not the name of an environment variable."
token="${!token_env:-}"
[[ -n "$token" ]] ||
  fail "$token_env is empty: there is no CircleCI token to trigger the dependents with." \
    "Add $token_env, a personal API token (CircleCI: User Settings > Personal API Tokens) of a user" \
    "who may trigger their pipelines, to the context that circleci.cascadeContext names."
[[ "$token" =~ ^[!-~]+$ ]] ||
  fail "$token_env holds spaces, line breaks or other characters no API token has."
api="${CARBON_CASCADE_API_URL:-https://circleci.com/api/v2}"
api="${api%/}"
case "$api" in
  https://?*) ;;
  http://127.0.0.1:* | http://127.0.0.1/* | http://localhost:* | http://localhost/*) ;;
  *) fail "CARBON_CASCADE_API_URL ($api) is not an https:// URL: the token would travel in clear." ;;
esac

cascade="$CARBON_CASCADE_FROM"
if [[ -n "${CIRCLE_SHA1:-}" ]]; then cascade="$cascade ${CIRCLE_SHA1:0:12}"; fi

scratch="$(umask 077 && mktemp -d "${TMPDIR:-/tmp}/carbon-cascade.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

# What CircleCI's answer says went wrong, with what to do about it.
explain() {
  local status="$1" message="$2"
  case "$status" in
    401) printf 'the token was refused (%s): give a personal API token; project tokens do not work with API v2' "$message" ;;
    403) printf "the token's user may not trigger it (%s)" "$message" ;;
    404) printf 'CircleCI has no such project, or the token cannot see it (%s): set the project up, or give circleci.projects its slug' "$message" ;;
    400) printf 'CircleCI refused the request (%s): is the config Carbon generated for it published on that branch (it declares carbon_cascade)?' "$message" ;;
    *) printf 'CircleCI answered %s (%s)' "$status" "$message" ;;
  esac
}

# Triggers one dependent; returns 1 when CircleCI did not start its pipeline.
trigger() {
  local slug="$1" branch="$2" path status attempt wait message number
  path="$(jq -rn --arg slug "$slug" '$slug | split("/") | map(@uri) | join("/")')"
  jq -n --arg branch "$branch" --arg cascade "$cascade" \
    '{branch: $branch, parameters: {carbon_cascade: $cascade}}' >"$scratch/body.json"
  for attempt in 1 2 3; do
    rm -f "$scratch/answer.json" "$scratch/headers"
    status="$(printf 'Circle-Token: %s\n' "$token" | curl --silent --show-error --max-time 30 \
      --request POST --header @- --header 'Content-Type: application/json' \
      --header 'Accept: application/json' --user-agent carbon-cascade \
      --data-binary @"$scratch/body.json" --dump-header "$scratch/headers" \
      --output "$scratch/answer.json" --write-out '%{http_code}' \
      "$api/project/$path/pipeline" 2>"$scratch/curl.err")" || status='000'
    if [[ "$status" != 429 || "$attempt" == 3 ]]; then break; fi
    wait="$(sed -n 's/^[Rr]etry-[Aa]fter:[[:space:]]*\([0-9][0-9]*\).*/\1/p' "$scratch/headers" | head -n 1)"
    wait="${wait:-5}"
    if ((wait > 60)); then wait=60; fi
    printf '%s at %s: CircleCI asks to slow down; trying again in %s s\n' "$slug" "$branch" "$wait"
    sleep "$wait"
  done
  if [[ "$status" == 2?? ]]; then
    number="$(jq -r '.number // "?"' "$scratch/answer.json" 2>/dev/null || printf '?')"
    printf 'rebuilt %s at %s: pipeline %s\n' "$slug" "$branch" "$number"
    return 0
  fi
  if [[ "$status" == 000 ]]; then
    message="$(head -n 1 "$scratch/curl.err")"
    warn "$slug at $branch was not rebuilt: no answer from $api (${message:-no message from curl})"
    return 1
  fi
  message="$(jq -r '.message // empty' "$scratch/answer.json" 2>/dev/null || true)"
  warn "$slug at $branch was not rebuilt: $(explain "$status" "${message:-no message}")"
  return 1
}

failed=0
tried=0
while IFS= read -r line || [[ -n "$line" ]]; do
  [[ -n "${line//[[:space:]]/}" ]] || continue
  read -r slug branch extra < <(printf '%s\n' "$line")
  if [[ -z "${branch:-}" || -n "${extra:-}" || ! "$slug" =~ ^[a-z]+/[^/[:space:]]+/[^/[:space:]]+$ ]]; then
    warn "skipped \"$line\": not \"<project slug> <branch>\""
    failed=1
    continue
  fi
  tried=$((tried + 1))
  trigger "$slug" "$branch" || failed=1
done < <(printf '%s\n' "$CARBON_CASCADE_DEPENDENTS")

if ((failed)); then
  fail "not every build that checks out $CARBON_CASCADE_FROM was rebuilt (see above)."
fi
printf '%s rebuilt %s build(s) that check it out\n' "$CARBON_CASCADE_FROM" "$tried"
