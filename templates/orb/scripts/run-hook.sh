#!/usr/bin/env bash
set -euo pipefail
# run-hook.sh: run an executable kept in the carbon repository: the provision hook (the function
# that creates or updates the project's AWS environment, before the deploy) or the deploy hook
# (instead of the ECS rollout). A hook that fails ends the step with its exit status.
#
# Reads (environment):
#   CARBON_HELPERS         required  scripts/helpers.sh, which the step includes
#   CARBON_HOOK            required  the hook's path, relative to the carbon checkout
#   CARBON_HOOK_STEP       optional  which hook it is, for messages: provision or deploy. Default: deploy
#   CARBON_CARBON_PATH     required  the carbon repository's checkout folder
#   CARBON_IMAGE_URI       required  the image built for this commit (exported by build-image.sh)
#   CARBON_IMAGE_TAG       required  its inputs-... tag (exported by build-image.sh)
#   CARBON_IMAGE_DIGEST    optional  its sha256:... digest (exported by build-image.sh). Default: empty
#   CARBON_PROJECT         required  Carbon project id, e.g. taxaroo
#   CARBON_REPOSITORY      required  Carbon repository id, e.g. Taxaroo-API-V2
#   CARBON_BRANCH          optional  branch being built. Default: $CIRCLE_BRANCH; one of them is required
#   CARBON_COMMIT          optional  commit being built. Default: $CIRCLE_SHA1; one of them is required
#   CARBON_AWS_REGION      required  AWS region, e.g. us-east-1
#   CARBON_AWS_ACCOUNT_ID  optional  AWS account of ECR and ECS (12 digits). Default: empty
#   CARBON_ECR_REPOSITORY  required  ECR repository name
#   CARBON_ECS_CLUSTER     optional  ECS cluster name, for the hook's use. Default: empty
#   CARBON_ECS_SERVICE     optional  ECS service name, for the hook's use. Default: empty
#   CARBON_ECS_CONTAINER   optional  container name in the service's task definition. Default: empty
# Runs the hook, without arguments, from the current directory (the build workspace) with these
# documented variables exported for it: CARBON_IMAGE_URI, CARBON_IMAGE_TAG, CARBON_IMAGE_DIGEST,
# CARBON_PROJECT, CARBON_REPOSITORY, CARBON_BRANCH, CARBON_COMMIT, AWS_REGION, CARBON_AWS_REGION,
# CARBON_AWS_ACCOUNT_ID, CARBON_ECR_REPOSITORY, CARBON_ECS_CLUSTER, CARBON_ECS_SERVICE,
# CARBON_ECS_CONTAINER (the digest, the account and the ECS names possibly empty), and the job's
# environment (e.g. the AWS credentials of aws-login.sh).
# Writes: nothing itself.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name run-hook.sh

CARBON_BRANCH="${CARBON_BRANCH:-${CIRCLE_BRANCH:-}}"
CARBON_COMMIT="${CARBON_COMMIT:-${CIRCLE_SHA1:-}}"
CARBON_IMAGE_DIGEST="${CARBON_IMAGE_DIGEST:-}"
CARBON_AWS_ACCOUNT_ID="${CARBON_AWS_ACCOUNT_ID:-}"
CARBON_ECS_CLUSTER="${CARBON_ECS_CLUSTER:-}"
CARBON_ECS_SERVICE="${CARBON_ECS_SERVICE:-}"
CARBON_ECS_CONTAINER="${CARBON_ECS_CONTAINER:-}"
step="${CARBON_HOOK_STEP:-deploy}"
[[ "$step" == provision || "$step" == deploy ]] ||
  fail "CARBON_HOOK_STEP must be provision or deploy, got '$step'."

require CARBON_HOOK "the path of the $step hook, relative to the carbon checkout"
require CARBON_CARBON_PATH "the carbon repository's checkout folder"
require CARBON_IMAGE_URI 'the image to deploy (build-image.sh exports it)'
require CARBON_IMAGE_TAG 'the inputs tag of the image (build-image.sh exports it)'
require CARBON_PROJECT 'the Carbon project id'
require CARBON_REPOSITORY 'the Carbon repository id'
require CARBON_BRANCH 'the branch being built (CircleCI sets CIRCLE_BRANCH for branch pipelines)'
require CARBON_COMMIT 'the commit being built (CircleCI sets CIRCLE_SHA1)'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'
require CARBON_ECR_REPOSITORY 'the name of the ECR repository'

[[ "$CARBON_HOOK" != /* ]] ||
  fail "CARBON_HOOK must be relative to the carbon checkout ($CARBON_CARBON_PATH), got '$CARBON_HOOK'."
carbon="${CARBON_CARBON_PATH%/}"
hook="$carbon/$CARBON_HOOK"

[[ -e "$hook" ]] ||
  fail "the $step hook $hook does not exist." \
    "Add '$CARBON_HOOK' to the carbon repository (branch being cloned), or fix the hook path in the" \
    "project settings."
[[ -f "$hook" ]] || fail "the $step hook $hook is not a file."
# Through a link, a hook could run something the carbon repository does not hold.
real_carbon="$(realpath "$carbon")"
real_hook="$(realpath "$hook")"
[[ "$real_hook" == "$real_carbon"/* ]] ||
  fail "the $step hook $hook leads outside the carbon repository (to $real_hook)."
[[ -x "$hook" ]] ||
  fail "the $step hook $hook is not executable." \
    "Make it executable in the carbon repository and commit that:" \
    "  git update-index --chmod=+x '$CARBON_HOOK' && git commit -m 'Make the $step hook executable'"

export CARBON_IMAGE_URI CARBON_IMAGE_TAG CARBON_IMAGE_DIGEST CARBON_PROJECT CARBON_REPOSITORY
export CARBON_BRANCH CARBON_COMMIT CARBON_AWS_REGION CARBON_AWS_ACCOUNT_ID CARBON_ECR_REPOSITORY
export CARBON_ECS_CLUSTER CARBON_ECS_SERVICE CARBON_ECS_CONTAINER
export AWS_REGION="$CARBON_AWS_REGION"

printf 'Running the %s hook %s for %s/%s (%s) with %s\n' \
  "$step" "$hook" "$CARBON_PROJECT" "$CARBON_REPOSITORY" "$CARBON_BRANCH" "$CARBON_IMAGE_URI"
status=0
"$hook" || status=$?
if [[ "$status" -ne 0 ]]; then
  printf 'run-hook.sh: error: the %s hook %s failed with exit code %s (its output is above); %s\n' \
    "$step" "$hook" "$status" \
    "$([[ "$step" == provision ]] && printf 'nothing was deployed.' || printf 'the image is pushed.')" >&2
  exit "$status"
fi
