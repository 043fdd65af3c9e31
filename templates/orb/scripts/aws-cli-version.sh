#!/usr/bin/env bash
set -euo pipefail
# aws-cli-version.sh: stop the job, before anything is changed, when the AWS CLI is older than the
# orb needs. An old AWS CLI v2 refuses options it does not know ("Unknown options:
# --image-tag-mutability-exclusion-filters") and, worse, silently drops the members it does not
# know from what it reads, with exit status 0: ECR's exclusion filters in describe-repositories.
# (The ECS rollout does not read through the CLI at all, so no CLI, however new, loses its fields.)
#
# The minimum, 2.27.57, is the AWS CLI release that added ECR's image tag mutability exclusion
# filters (aws/aws-cli CHANGELOG.rst, branch v2: "api-change:ecr: Add support for Image Tag
# Mutability Exception feature"), the newest AWS feature the orb's calls use.
#
# Reads (environment): CARBON_HELPERS (scripts/helpers.sh, which the step includes) and PATH.
# Writes: nothing.
# Runs: aws --version

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name aws-cli-version.sh
readonly minimum='2.27.57'

command -v aws >/dev/null 2>&1 ||
  fail "the AWS CLI (aws) is not on PATH; the orb needs AWS CLI v2 $minimum or newer." \
    "Run the job in the orb's aws executor (cimg/aws), or install the AWS CLI v2."
output="$(aws --version 2>&1)" || fail "aws --version failed: $output"
[[ "$output" =~ aws-cli/([0-9]+)\.([0-9]+)\.([0-9]+) ]] ||
  fail "could not read the AWS CLI's version from 'aws --version': $output"
version="${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}"
# Compares as numbers, part by part: each part padded to 6 digits (2.9.19 < 2.27.57).
as_number() {
  local IFS=.
  # shellcheck disable=SC2086 # split on the dots
  set -- $1
  printf '%d%06d%06d' "$1" "$2" "$3"
}
if (($(as_number "$version") < $(as_number "$minimum"))); then
  fail "the AWS CLI is $version; the orb needs $minimum or newer (found: $output)." \
    "Older releases refuse --image-tag-mutability-exclusion-filters and silently drop ECR's" \
    "exclusion filters from what they read. Use the orb's default aws executor (a current cimg/aws)" \
    "or a newer executor tag, or update the AWS CLI in your image. Nothing was changed."
fi
printf 'AWS CLI %s (the orb needs %s or newer).\n' "$version" "$minimum"
