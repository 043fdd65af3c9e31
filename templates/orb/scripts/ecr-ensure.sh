#!/usr/bin/env bash
set -euo pipefail
# ecr-ensure.sh: make sure the ECR repository exists, scans images on push, and keeps tags immutable
# except Carbon's moving tags (branch-*, commit-*, cache-*). It creates a missing repository but never
# changes an existing repository's settings: it prints the command that would.
#
# Reads (environment):
#   CARBON_ECR_REPOSITORY  required  repository name, e.g. taxaroo-api
#   CARBON_AWS_REGION      required  AWS region, e.g. us-east-1
#   CARBON_STATE_DIR       optional  default ${TMPDIR:-/tmp}/carbon-state
#   AWS credentials from the environment (see aws-login.sh)
# Writes:
#   $CARBON_STATE_DIR/ecr-ensure.XXXXXX  AWS's error output, deleted on exit
# Runs:
#   aws ecr describe-repositories --repository-names REPO --region R --output json
#   only when that fails with RepositoryNotFoundException:
#   aws ecr create-repository --repository-name REPO --image-scanning-configuration scanOnPush=true
#     --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters
#     filterType=WILDCARD,filter='branch-*' filterType=WILDCARD,filter='commit-*'
#     filterType=WILDCARD,filter='cache-*' --region R --output json
# Accepts IMMUTABLE_WITH_EXCLUSION with the three filters; MUTABLE (and MUTABLE_WITH_EXCLUSION) with a
# warning; fails on IMMUTABLE or on missing filters, printing the put-image-tag-mutability command.

readonly script_name='ecr-ensure.sh'

fail() {
  printf '%s: error: %s\n' "$script_name" "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}

warn() {
  printf '%s: warning: %s\n' "$script_name" "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
}

require() {
  [[ -n "${!1:-}" ]] || fail "$1 is not set." "Set $1 to $2."
}

require CARBON_ECR_REPOSITORY 'the name of the ECR repository, e.g. taxaroo-api'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'

repo="$CARBON_ECR_REPOSITORY"
region="$CARBON_AWS_REGION"
state_dir="${CARBON_STATE_DIR:-${TMPDIR:-/tmp}/carbon-state}"
moving_tags=('branch-*' 'commit-*' 'cache-*')
export AWS_PAGER=''

name_pattern='^([a-z0-9]+([._-][a-z0-9]+)*/)*[a-z0-9]+([._-][a-z0-9]+)*$'
[[ "$repo" =~ $name_pattern && ${#repo} -ge 2 && ${#repo} -le 256 ]] ||
  fail "CARBON_ECR_REPOSITORY is not a valid ECR repository name: '$repo'." \
    "Use 2 to 256 lower-case letters, digits and . _ - / (e.g. taxaroo/api)."
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  fail "CARBON_AWS_REGION is not an AWS region: '$region'." "Expected a region such as us-east-1."

# Prints the put-image-tag-mutability command that keeps tags immutable except filters "$@".
fix_command() {
  local command filter
  command="aws ecr put-image-tag-mutability --repository-name $repo"
  command+=" --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters"
  for filter in "$@"; do command+=" filterType=WILDCARD,filter='$filter'"; done
  printf '%s --region %s\n' "$command" "$region"
}

(umask 077 && mkdir -p "$state_dir")
errors="$(mktemp "$state_dir/ecr-ensure.XXXXXX")"
trap 'rm -f "$errors"' EXIT

status=0
description="$(aws ecr describe-repositories --repository-names "$repo" --region "$region" \
  --output json 2>"$errors")" || status=$?

if [[ "$status" -ne 0 ]]; then
  if ! grep -q 'RepositoryNotFoundException' "$errors"; then
    cat "$errors" >&2
    fail "could not look up the ECR repository $repo in $region (aws exit $status); AWS's message is above." \
      "The role needs ecr:DescribeRepositories and ecr:CreateRepository on this repository."
  fi
  printf 'ECR repository %s does not exist in %s: creating it.\n' "$repo" "$region"
  created="$(aws ecr create-repository --repository-name "$repo" \
    --image-scanning-configuration scanOnPush=true \
    --image-tag-mutability IMMUTABLE_WITH_EXCLUSION \
    --image-tag-mutability-exclusion-filters \
    filterType=WILDCARD,filter='branch-*' filterType=WILDCARD,filter='commit-*' \
    filterType=WILDCARD,filter='cache-*' \
    --region "$region" --output json)" ||
    fail "could not create the ECR repository $repo in $region; AWS's message is above." \
      "The role needs ecr:CreateRepository, or create the repository yourself with the settings above."
  uri="$(printf '%s' "$created" | jq -r '.repository.repositoryUri // empty')"
  printf 'Created %s: scan on push; tags immutable except branch-*, commit-*, cache-*.\n' "${uri:-$repo}"
  exit 0
fi

repository="$(printf '%s' "$description" | jq -c '.repositories[0] // empty')"
[[ -n "$repository" ]] || fail "describe-repositories answered without a repository for $repo."
field() { printf '%s' "$repository" | jq -r "$1"; }
uri="$(field '.repositoryUri // empty')"
mutability="$(field '.imageTagMutability // "MUTABLE"')"
existing_filters=()
while IFS= read -r filter; do
  [[ -z "$filter" ]] || existing_filters+=("$filter")
done < <(field '.imageTagMutabilityExclusionFilters // [] | .[] | select(.filterType == "WILDCARD") | .filter')
missing_filters=()
for wanted in "${moving_tags[@]}"; do
  found=''
  for filter in ${existing_filters[@]+"${existing_filters[@]}"}; do
    [[ "$filter" != "$wanted" ]] || found=yes
  done
  [[ -n "$found" ]] || missing_filters+=("$wanted")
done

case "$mutability" in
  IMMUTABLE)
    fail "the tags of ECR repository $repo are all IMMUTABLE, so Carbon cannot move its branch-*," \
      "commit-* and cache-* tags. Carbon never changes an existing repository; to allow it, run:" \
      "  $(fix_command "${moving_tags[@]}")"
    ;;
  IMMUTABLE_WITH_EXCLUSION)
    if ((${#missing_filters[@]} > 0)); then
      wanted_filters=(${existing_filters[@]+"${existing_filters[@]}"} "${missing_filters[@]}")
      extra=()
      if ((${#wanted_filters[@]} > 5)); then
        extra=("ECR allows at most 5 exclusion filters: drop some of the repository's other filters.")
      fi
      fail "the ECR repository $repo keeps tags immutable but lacks the exclusion filter(s)" \
        "${missing_filters[*]}, so Carbon could not move those tags. Carbon never changes an existing" \
        "repository; to allow it, run:" \
        "  $(fix_command "${wanted_filters[@]}")" ${extra[@]+"${extra[@]}"}
    fi
    ;;
  MUTABLE | MUTABLE_WITH_EXCLUSION)
    warn "the tags of ECR repository $repo are $mutability: a push can overwrite any tag, including" \
      "the inputs-* tag Carbon uses to skip builds. To make them immutable except Carbon's moving tags:" \
      "  $(fix_command "${moving_tags[@]}")"
    ;;
  *)
    fail "the ECR repository $repo has an image tag mutability Carbon does not know: '$mutability'."
    ;;
esac

if [[ "$(field '.imageScanningConfiguration.scanOnPush // false')" != true ]]; then
  warn "the ECR repository $repo does not scan images on push. To turn scanning on:" \
    "  aws ecr put-image-scanning-configuration --repository-name $repo --image-scanning-configuration scanOnPush=true --region $region"
fi

printf 'ECR repository %s is ready (tag mutability %s).\n' "${uri:-$repo}" "$mutability"
