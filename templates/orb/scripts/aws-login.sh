#!/usr/bin/env bash
set -euo pipefail
# aws-login.sh: assume an AWS IAM role with the job's CircleCI OIDC token (no long-lived keys).
#
# Reads (environment):
#   CARBON_HELPERS            required  scripts/helpers.sh, which the step includes
#   CARBON_AWS_ROLE_ARN       required  role to assume, arn:aws:iam::<account>:role/<name>
#   CARBON_AWS_REGION         required  AWS region, e.g. us-east-1
#   CARBON_OIDC_TOKEN_ENV     optional  NAME of the variable holding CircleCI's OIDC token.
#                                       Default: CIRCLE_OIDC_TOKEN_V2
#   CARBON_SESSION_DURATION   optional  session length in seconds, 900 to 43200. Default: 3600
#   CARBON_SESSION_NAME       optional  role session name; characters outside [A-Za-z0-9_+=,.@-] become
#                                       '-', cut to 64. Default: carbon-<CIRCLE_PROJECT_REPONAME or local>-
#                                       <CIRCLE_BUILD_NUM or 0>
#   CARBON_STATE_DIR        required  the job's state folder: state-open.sh makes it and names it to
#                                     the later steps; state-cleanup.sh removes it at the end of the job
#   BASH_ENV                  optional  file that later steps source (CircleCI sets it)
# Writes:
#   $CARBON_STATE_DIR/sts-request.json  the AssumeRoleWithWebIdentity request (mode 600, holds the
#                                       token so it stays out of argv); deleted before the script ends
#   $BASH_ENV, else $CARBON_STATE_DIR/env: export lines for AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
#                                       AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION, between two
#                                       lines that keep an inherited set -x from tracing them
# Runs: aws sts assume-role-with-web-identity --cli-input-json file://<request> --region R --output json
# Prints only the assumed role's ARN and the credentials' expiry: never a token or a key.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name aws-login.sh

# Appends "export NAME=value" lines (pairs of arguments) for later steps to $BASH_ENV, else to
# $CARBON_STATE_DIR/env. Each later step sources them, under its own set -x if a BASH_ENV line set
# one: so the lines turn tracing off around themselves, quietly, and back on after.
export_for_later_steps() {
  # shellcheck disable=SC2016 # these lines are for the later steps' shells to expand
  {
    printf '{ carbon_xtrace="${-//[^x]/}"; set +x; } 2>/dev/null\n'
    while (($# >= 2)); do
      printf 'export %s=%q\n' "$1" "$2"
      shift 2
    done
    printf '[[ -z "$carbon_xtrace" ]] || set "-$carbon_xtrace"; unset carbon_xtrace\n'
  } >>"${BASH_ENV:-$state_dir/env}"
}

require CARBON_AWS_ROLE_ARN 'the ARN of the IAM role to assume'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'

role="$CARBON_AWS_ROLE_ARN"
region="$CARBON_AWS_REGION"
token_env="${CARBON_OIDC_TOKEN_ENV:-CIRCLE_OIDC_TOKEN_V2}"
duration="${CARBON_SESSION_DURATION:-3600}"
session="${CARBON_SESSION_NAME:-carbon-${CIRCLE_PROJECT_REPONAME:-local}-${CIRCLE_BUILD_NUM:-0}}"
require CARBON_STATE_DIR "the job's state folder (the job's first step, state-open.sh, names it)"
state_dir="$CARBON_STATE_DIR"
(umask 077 && mkdir -p "$state_dir")
export AWS_PAGER=''

[[ "$role" =~ ^arn:aws[a-z-]*:iam::([0-9]{12}):role/.+$ ]] ||
  fail "CARBON_AWS_ROLE_ARN is not an IAM role ARN: '$role'." \
    "Expected arn:aws:iam::<12-digit account id>:role/<role name>."
account="${BASH_REMATCH[1]}"
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  fail "CARBON_AWS_REGION is not an AWS region: '$region'." "Expected a region such as us-east-1."
if ! [[ "$duration" =~ ^[0-9]{1,5}$ ]] || ((10#$duration < 900 || 10#$duration > 43200)); then
  fail "CARBON_SESSION_DURATION must be a number of seconds from 900 to 43200, got '$duration'."
fi
duration="$((10#$duration))"
[[ "$token_env" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
  fail "CARBON_OIDC_TOKEN_ENV must be the NAME of the variable holding the OIDC token, such as" \
    "CIRCLE_OIDC_TOKEN_V2. Its value is not shown: it may be the token itself."
session="${session//[^A-Za-z0-9_+=,.@-]/-}"
session="${session:0:64}"
((${#session} >= 2)) || fail "CARBON_SESSION_NAME must have at least 2 characters, got '$session'."

if [[ -z "${!token_env:-}" ]]; then
  fail "no OIDC token: $(shown_name "$token_env") is empty or unset." \
    "CircleCI gives every job its OIDC token in CIRCLE_OIDC_TOKEN_V2 (no context needed). Outside" \
    "CircleCI (carbon run, a shell), put a token CircleCI issued in that variable; if the job keeps" \
    "its token in another variable, pass that variable's name as the oidc_token parameter."
fi
export "${token_env?}"

# The token goes to AWS in a mode-600 file, never in argv (where ps and logs could see it).
request="$state_dir/sts-request.json"
trap 'rm -f "$request"' EXIT
rm -f "$request"
(umask 077 && jq -n --arg role "$role" --arg session "$session" --argjson duration "$duration" \
  --arg token_env "$token_env" \
  '{RoleArn: $role, RoleSessionName: $session, WebIdentityToken: env[$token_env], DurationSeconds: $duration}' \
  >"$request")

status=0
response="$(aws sts assume-role-with-web-identity --cli-input-json "file://$request" \
  --region "$region" --output json)" || status=$?
rm -f "$request"
if [[ "$status" -ne 0 ]]; then
  fail "AWS STS did not let this job assume $role (aws exit $status); AWS's message is above." \
    "Check the role's trust policy: it must trust CircleCI's OIDC provider for your organization," \
    "  Principal: {\"Federated\": \"arn:aws:iam::$account:oidc-provider/oidc.circleci.com/org/<ORG_ID>\"}" \
    "  Action: \"sts:AssumeRoleWithWebIdentity\"" \
    "  Condition: {\"StringEquals\": {\"oidc.circleci.com/org/<ORG_ID>:aud\": \"<ORG_ID>\"}}" \
    "where <ORG_ID> is the CircleCI organization id (Organization Settings > Overview), and" \
    "the role's maximum session duration must be at least $duration seconds."
fi

credential() {
  printf '%s' "$response" | jq -er ".Credentials.$1 // empty" ||
    fail "the AssumeRoleWithWebIdentity response has no Credentials.$1."
}
access_key_id="$(credential AccessKeyId)"
secret_access_key="$(credential SecretAccessKey)"
session_token="$(credential SessionToken)"
expiration="$(credential Expiration)"
assumed_arn="$(printf '%s' "$response" | jq -r '.AssumedRoleUser.Arn // "(unknown)"')"

export_for_later_steps AWS_ACCESS_KEY_ID "$access_key_id" AWS_SECRET_ACCESS_KEY "$secret_access_key" \
  AWS_SESSION_TOKEN "$session_token" AWS_REGION "$region" AWS_DEFAULT_REGION "$region"

printf 'Assumed role %s; the credentials expire at %s.\n' "$assumed_arn" "$expiration"
