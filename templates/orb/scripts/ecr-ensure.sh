#!/usr/bin/env bash
set -euo pipefail
# ecr-ensure.sh: make sure the ECR repository exists and keeps tags immutable except Carbon's moving
# tags (branch-*, commit-*, cache-*), and say whether pushed images are scanned. It creates a missing
# repository but never changes an existing repository's settings: it prints the command that would.
# Scanning is the registry's (its scanning rules): the repository-level scanOnPush is deprecated, so
# a new repository is created without it, and the warning when nothing scans names the registry's
# setting.
#
# Reads (environment):
#   CARBON_HELPERS         required  scripts/helpers.sh, which the step includes
#   CARBON_ECR_REPOSITORY  required  repository name, e.g. taxaroo-api
#   CARBON_AWS_REGION      required  AWS region, e.g. us-east-1
#   CARBON_AWS_ACCOUNT_ID  required  12-digit id of the AWS account that owns the registry (--registry-id
#                                    on every call, so a role of another account works on this one)
#   CARBON_STATE_DIR        required  the job's state folder: state-open.sh makes it and names it to
#                                     the later steps; state-cleanup.sh removes it at the end of the job
#   AWS credentials from the environment (see aws-login.sh)
# Writes:
#   $CARBON_STATE_DIR/ecr-ensure.XXXXXX  AWS's error output, deleted on exit
# Runs:
#   aws ecr describe-repositories --registry-id ACCOUNT --repository-names REPO --region R --output json
#   only when that fails with RepositoryNotFoundException:
#   aws ecr create-repository --registry-id ACCOUNT --repository-name REPO
#     --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters
#     filterType=WILDCARD,filter='branch-*' filterType=WILDCARD,filter='commit-*'
#     filterType=WILDCARD,filter='cache-*' --region R --output json
#   aws ecr get-registry-scanning-configuration --region R --output json  (the caller's own registry:
#     said nothing of when the answer is another account's, or when the role may not read it)
# Accepts IMMUTABLE_WITH_EXCLUSION with the three filters; MUTABLE (and MUTABLE_WITH_EXCLUSION) with a
# warning; fails on IMMUTABLE or on missing filters, printing the put-image-tag-mutability command. A
# *_WITH_EXCLUSION repository described without the imageTagMutabilityExclusionFilters field means
# an AWS CLI older than the feature (it drops the field it does not know): that fails as such.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name ecr-ensure.sh

require CARBON_ECR_REPOSITORY 'the name of the ECR repository, e.g. taxaroo-api'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'
require CARBON_AWS_ACCOUNT_ID 'the 12-digit id of the AWS account that owns the registry'

repo="$CARBON_ECR_REPOSITORY"
region="$CARBON_AWS_REGION"
account="$CARBON_AWS_ACCOUNT_ID"
require CARBON_STATE_DIR "the job's state folder (the job's first step, state-open.sh, names it)"
state_dir="$CARBON_STATE_DIR"
(umask 077 && mkdir -p "$state_dir")
moving_tags=('branch-*' 'commit-*' 'cache-*')
export AWS_PAGER=''

name_pattern='^([a-z0-9]+([._-][a-z0-9]+)*/)*[a-z0-9]+([._-][a-z0-9]+)*$'
[[ "$repo" =~ $name_pattern && ${#repo} -ge 2 && ${#repo} -le 256 ]] ||
  fail "CARBON_ECR_REPOSITORY is not a valid ECR repository name: '$repo'." \
    "Use 2 to 256 lower-case letters, digits and . _ - / (e.g. taxaroo/api)."
[[ "$account" =~ ^[0-9]{12}$ ]] ||
  fail "CARBON_AWS_ACCOUNT_ID must be a 12-digit AWS account id, got '$account'."
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  fail "CARBON_AWS_REGION is not an AWS region: '$region'." "Expected a region such as us-east-1."

# Prints the put-image-tag-mutability command that keeps tags immutable except filters "$@".
fix_command() {
  local command filter
  command="aws ecr put-image-tag-mutability --registry-id $account --repository-name $repo"
  command+=" --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters"
  for filter in "$@"; do command+=" filterType=WILDCARD,filter='$filter'"; done
  printf '%s --region %s\n' "$command" "$region"
}

errors="$(mktemp "$state_dir/ecr-ensure.XXXXXX")"
trap 'rm -f "$errors"' EXIT

# Says whether images pushed to the repository are scanned: by a rule of the registry's scanning
# configuration (on push or continuously), else by the repository's own deprecated scanOnPush ($1,
# true or false), of which nothing is said. Otherwise it warns, naming the registry's setting.
check_scanning() {
  local configuration registry filter frequency
  if ! configuration="$(aws ecr get-registry-scanning-configuration --region "$region" \
    --output json 2>"$errors")"; then
    printf 'Whether images of %s are scanned is not checked: the registry scanning configuration\n' "$repo"
    printf 'could not be read (the role needs ecr:GetRegistryScanningConfiguration).\n'
    return 0
  fi
  registry="$(printf '%s' "$configuration" | jq -r '.registryId // empty')"
  # The call reads the caller's own registry: another account's rules are its owner's to set.
  [[ -z "$registry" || "$registry" == "$account" ]] || return 0
  while IFS=$'\t' read -r frequency filter; do
    # An ECR wildcard filter (letters, digits, . _ - / and *) matched as a glob: unquoted.
    # shellcheck disable=SC2053
    if [[ -n "$filter" && "$repo" == $filter ]]; then
      printf 'Images pushed to %s are scanned: the registry scans %s (%s).\n' "$repo" "$filter" "$frequency"
      return 0
    fi
  done < <(printf '%s' "$configuration" | jq -r '.scanningConfiguration.rules // [] | .[]
    | select(.scanFrequency == "SCAN_ON_PUSH" or .scanFrequency == "CONTINUOUS_SCAN")
    | .scanFrequency as $frequency | .repositoryFilters // [] | .[]
    | select(.filterType == "WILDCARD") | [$frequency, .filter] | @tsv')
  [[ "$1" != true ]] || return 0
  warn "images pushed to $repo are not scanned: no scanning rule of the registry covers it. To scan" \
    "every repository of the registry on push (this replaces the registry's rules: add any you have):" \
    "  aws ecr put-registry-scanning-configuration --scan-type BASIC --rules '[{\"scanFrequency\":\"SCAN_ON_PUSH\",\"repositoryFilters\":[{\"filter\":\"*\",\"filterType\":\"WILDCARD\"}]}]' --region $region"
}

status=0
description="$(aws ecr describe-repositories --registry-id "$account" --repository-names "$repo" \
  --region "$region" --output json 2>"$errors")" || status=$?

if [[ "$status" -ne 0 ]]; then
  if ! grep -q 'RepositoryNotFoundException' "$errors"; then
    cat "$errors" >&2
    fail "could not look up the ECR repository $repo in $region (aws exit $status); AWS's message is above." \
      "The role needs ecr:DescribeRepositories and ecr:CreateRepository on this repository."
  fi
  printf 'ECR repository %s does not exist in %s: creating it.\n' "$repo" "$region"
  status=0
  created="$(aws ecr create-repository --registry-id "$account" --repository-name "$repo" \
    --image-tag-mutability IMMUTABLE_WITH_EXCLUSION \
    --image-tag-mutability-exclusion-filters \
    filterType=WILDCARD,filter='branch-*' filterType=WILDCARD,filter='commit-*' \
    filterType=WILDCARD,filter='cache-*' \
    --region "$region" --output json 2>"$errors")" || status=$?
  if [[ "$status" -ne 0 ]]; then
    cat "$errors" >&2
    # The CLI refuses options it does not know before asking AWS: that is no permission problem.
    if grep -q 'Unknown options' "$errors"; then
      fail "this AWS CLI ($(aws --version 2>&1 || true)) does not know ECR's tag mutability" \
        "exclusion filters (AWS CLI 2.27.57 and newer do). Nothing was created; use a newer AWS CLI."
    fi
    fail "could not create the ECR repository $repo in $region (aws exit $status); AWS's message is above." \
      "The role needs ecr:CreateRepository, or create the repository yourself with the settings above."
  fi
  uri="$(printf '%s' "$created" | jq -r '.repository.repositoryUri // empty')"
  printf 'Created %s: tags immutable except branch-*, commit-*, cache-*.\n' "${uri:-$repo}"
  check_scanning false
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

if [[ "$mutability" == *_WITH_EXCLUSION ]] &&
  [[ "$(field 'has("imageTagMutabilityExclusionFilters")')" != true ]]; then
  fail "the ECR repository $repo is $mutability, but the AWS CLI's answer has no" \
    "imageTagMutabilityExclusionFilters field: this AWS CLI ($(aws --version 2>&1 || true)) is older" \
    "than ECR's tag mutability exclusion filters (AWS CLI 2.27.57) and drops the field. Use a newer" \
    "AWS CLI (the orb's default executor image has one); the repository itself may be fine."
fi

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

check_scanning "$(field '.imageScanningConfiguration.scanOnPush // false')"

printf 'ECR repository %s is ready (tag mutability %s).\n' "${uri:-$repo}" "$mutability"
