#!/usr/bin/env bash
set -euo pipefail
# build-image.sh: build the image with docker buildx and push it to ECR, or skip the build when an
# image built from the same inputs is already there.
#
# The inputs tag, inputs-<first 32 hex digits of a sha256>, covers this repository's path and commit,
# every line of $CARBON_STATE_DIR/checkouts (written by clone.sh) sorted, the Dockerfile path, the
# build context path and the platform. It is immutable; commit-<sha> and branch-<branch> move.
#
# Reads (environment):
#   CARBON_HELPERS          required  scripts/helpers.sh, which the step includes
#   CARBON_ECR_REPOSITORY   required  ECR repository name, e.g. taxaroo-api
#   CARBON_AWS_REGION       required  AWS region, e.g. us-east-1
#   CARBON_AWS_ACCOUNT_ID   required  12-digit AWS account id that owns the registry
#   CARBON_DOCKERFILE       required  Dockerfile path, relative to the current directory (build workspace)
#   CARBON_DOCKER_CONTEXT   required  build context folder, relative to the current directory
#   CARBON_REPOSITORY_PATH  required  this repository's checkout folder
#   CARBON_PLATFORM         optional  buildx platform(s). Default: linux/amd64
#   CARBON_BRANCH           optional  branch being built. Default: $CIRCLE_BRANCH; one of them is required
#   CARBON_COMMIT           optional  commit being built. Default: $CIRCLE_SHA1, else
#                                     git -C "$CARBON_REPOSITORY_PATH" rev-parse HEAD
#   CARBON_STATE_DIR        required  the job's state folder: state-open.sh makes it and names it to
#                                     the later steps; state-cleanup.sh removes it at the end of the job
#   BASH_ENV                optional  file that later steps source (CircleCI sets it)
#   AWS credentials from the environment (see aws-login.sh)
# Writes:
#   $CARBON_STATE_DIR/build-metadata.json  buildx metadata (image digest), when it builds
#   $CARBON_STATE_DIR/build-image.XXXXXX   AWS's error output, deleted on exit
#   $BASH_ENV, else $CARBON_STATE_DIR/env: export lines for CARBON_IMAGE_URI (<image>:<inputs tag>),
#                                       CARBON_IMAGE_TAG (the inputs tag), CARBON_IMAGE_DIGEST (sha256:...,
#                                       empty when neither buildx nor ECR named it), CARBON_IMAGE_BUILT
#                                       (true|false)
# Runs:
#   aws ecr describe-images --registry-id ACCOUNT --repository-name REPO --image-ids imageTag=INPUTS_TAG --region R --output json
#   when it exists (no docker at all):
#     aws ecr batch-get-image --registry-id ACCOUNT --repository-name REPO --image-ids imageTag=INPUTS_TAG --region R --output json
#     aws ecr put-image --registry-id ACCOUNT --repository-name REPO --image-tag TAG --image-manifest M
#       --image-manifest-media-type T --region R --output json      (TAG = commit-..., then branch-...)
#   when it fails with ImageNotFoundException:
#     aws ecr get-login-password --region R | docker login --username AWS --password-stdin REGISTRY
#     docker buildx inspect carbon, else docker buildx create --name carbon --driver docker-container
#     docker buildx build --builder carbon --platform P --file DOCKERFILE --tag IMAGE:INPUTS_TAG
#       --tag IMAGE:commit-SHA --tag IMAGE:branch-BRANCH --cache-from type=registry,ref=IMAGE:cache-BRANCH
#       --cache-to type=registry,ref=IMAGE:cache-BRANCH,mode=max,image-manifest=true,oci-mediatypes=true
#       --provenance=false --metadata-file $CARBON_STATE_DIR/build-metadata.json --push CONTEXT

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name build-image.sh

# Appends "export NAME=value" for later steps to $BASH_ENV, else to $CARBON_STATE_DIR/env.
export_for_later_steps() {
  printf 'export %s=%q\n' "$1" "$2" >>"${BASH_ENV:-$state_dir/env}"
}

# Prints the sha256 of stdin as hex (sha256sum on Linux, shasum on macOS).
sha256_hex() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum; else shasum -a 256; fi | cut -c1-64
}

strip_trailing_slashes() {
  local path="$1"
  while [[ "$path" == */ && "$path" != / ]]; do path="${path%/}"; done
  printf '%s' "$path"
}

require CARBON_ECR_REPOSITORY 'the name of the ECR repository, e.g. taxaroo-api'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'
require CARBON_AWS_ACCOUNT_ID 'the 12-digit id of the AWS account that owns the registry'
require CARBON_DOCKERFILE 'the Dockerfile path, relative to the build workspace'
require CARBON_DOCKER_CONTEXT 'the build context folder, relative to the build workspace'
require CARBON_REPOSITORY_PATH "this repository's checkout folder"

repo="$CARBON_ECR_REPOSITORY"
region="$CARBON_AWS_REGION"
account="$CARBON_AWS_ACCOUNT_ID"
dockerfile="$CARBON_DOCKERFILE"
context="$(strip_trailing_slashes "$CARBON_DOCKER_CONTEXT")"
repository_path="$(strip_trailing_slashes "$CARBON_REPOSITORY_PATH")"
platform="${CARBON_PLATFORM:-linux/amd64}"
branch="${CARBON_BRANCH:-${CIRCLE_BRANCH:-}}"
commit="${CARBON_COMMIT:-${CIRCLE_SHA1:-}}"
require CARBON_STATE_DIR "the job's state folder (the job's first step, state-open.sh, names it)"
state_dir="$CARBON_STATE_DIR"
(umask 077 && mkdir -p "$state_dir")
export AWS_PAGER=''

[[ -n "$branch" ]] ||
  fail "no branch: CARBON_BRANCH and CIRCLE_BRANCH are both unset." \
    "Set CARBON_BRANCH (CircleCI sets CIRCLE_BRANCH for branch pipelines, not for tag pipelines)."
[[ "$account" =~ ^[0-9]{12}$ ]] ||
  fail "CARBON_AWS_ACCOUNT_ID must be a 12-digit AWS account id, got '$account'."
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  fail "CARBON_AWS_REGION is not an AWS region: '$region'." "Expected a region such as us-east-1."
[[ -f "$dockerfile" ]] ||
  fail "Dockerfile not found: $dockerfile (CARBON_DOCKERFILE, relative to $PWD)." \
    "Check the Dockerfile path in the project settings and that its repository was cloned."
[[ -d "$context" ]] ||
  fail "build context folder not found: $context (CARBON_DOCKER_CONTEXT, relative to $PWD)."
[[ -d "$repository_path" ]] ||
  fail "repository checkout not found: $repository_path (CARBON_REPOSITORY_PATH, relative to $PWD)."
if [[ -z "$commit" ]]; then
  commit="$(git -C "$repository_path" rev-parse HEAD)" ||
    fail "could not read the commit of $repository_path; set CARBON_COMMIT to the commit being built."
fi
[[ "$commit" =~ ^[0-9a-f]{40}([0-9a-f]{24})?$ ]] ||
  fail "the commit must be a full hexadecimal sha, got '$commit' (CARBON_COMMIT or CIRCLE_SHA1)."

# What the image is built from; the same inputs give the same tag, so a rebuild can be skipped.
checkouts="$state_dir/checkouts"
inputs="$(
  printf 'carbon build inputs v1\n'
  printf 'repository %s %s\n' "$repository_path" "$commit"
  if [[ -f "$checkouts" ]]; then LC_ALL=C sort "$checkouts" | sed 's/^/checkout /'; fi
  printf 'dockerfile %s\n' "$dockerfile"
  printf 'context %s\n' "$context"
  printf 'platform %s\n' "$platform"
)"
inputs_hash="$(printf '%s\n' "$inputs" | sha256_hex)"
inputs_tag="inputs-${inputs_hash:0:32}"
tag_branch="${branch//[^A-Za-z0-9_.-]/-}"
commit_tag="commit-$commit"
branch_tag="branch-$tag_branch"
branch_tag="${branch_tag:0:128}"
cache_tag="cache-$tag_branch"
cache_tag="${cache_tag:0:128}"
domain='amazonaws.com'
[[ "$region" != cn-* ]] || domain='amazonaws.com.cn'
registry="$account.dkr.ecr.$region.$domain"
image="$registry/$repo"
cache_ref="$image:$cache_tag"

printf 'Build inputs (%s):\n' "$inputs_tag"
printf '%s\n' "$inputs" | sed 's/^/  /'

errors="$(mktemp "$state_dir/build-image.XXXXXX")"
trap 'rm -f "$errors"' EXIT

status=0
aws ecr describe-images --registry-id "$account" --repository-name "$repo" --image-ids imageTag="$inputs_tag" \
  --region "$region" --output json >/dev/null 2>"$errors" || status=$?

if [[ "$status" -eq 0 ]]; then
  # Built before from the same inputs: move the commit and branch tags to it, no docker at all.
  images="$(aws ecr batch-get-image --registry-id "$account" --repository-name "$repo" --image-ids imageTag="$inputs_tag" \
    --region "$region" --output json)" ||
    fail "could not read the manifest of $image:$inputs_tag; AWS's message is above."
  manifest="$(printf '%s' "$images" | jq -r '.images[0].imageManifest // empty')"
  media_type="$(printf '%s' "$images" | jq -r '.images[0].imageManifestMediaType // empty')"
  digest="$(printf '%s' "$images" | jq -r '.images[0].imageId.imageDigest // empty')"
  [[ -n "$manifest" && -n "$media_type" ]] ||
    fail "batch-get-image returned no manifest for $image:$inputs_tag:" \
      "$(printf '%s' "$images" | jq -c '.failures // []')"
  for tag in "$commit_tag" "$branch_tag"; do
    status=0
    aws ecr put-image --registry-id "$account" --repository-name "$repo" --image-tag "$tag" --image-manifest "$manifest" \
      --image-manifest-media-type "$media_type" --region "$region" --output json \
      >/dev/null 2>"$errors" || status=$?
    if [[ "$status" -ne 0 ]] && ! grep -q 'ImageAlreadyExistsException' "$errors"; then
      cat "$errors" >&2
      if grep -q 'ImageTagAlreadyExistsException' "$errors"; then
        fail "could not move the tag $tag: the repository $repo keeps it immutable." \
          "Run ecr-ensure.sh: it prints the command that exempts branch-*, commit-* and cache-* tags."
      fi
      fail "could not tag $image:$inputs_tag as $tag (aws exit $status); AWS's message is above."
    fi
  done
  printf 'Skipped the build: %s:%s (%s) was already built from these inputs.\n' \
    "$image" "$inputs_tag" "${digest:-digest unknown}"
  printf 'Moved %s and %s to it.\n' "$commit_tag" "$branch_tag"
  built=false
else
  if ! grep -q 'ImageNotFoundException' "$errors"; then
    cat "$errors" >&2
    if grep -q 'RepositoryNotFoundException' "$errors"; then
      fail "the ECR repository $repo does not exist in $region." \
        "Run ecr-ensure.sh before this script: it creates the repository."
    fi
    fail "could not look up $image:$inputs_tag (aws exit $status); AWS's message is above."
  fi
  printf 'No image for these inputs yet: building %s:%s\n' "$image" "$inputs_tag"
  aws ecr get-login-password --region "$region" |
    docker login --username AWS --password-stdin "$registry" ||
    fail "could not log docker in to $registry." \
      "The role needs ecr:GetAuthorizationToken, and docker must be running (setup_remote_docker?)."
  if ! docker buildx inspect carbon >/dev/null 2>&1; then
    docker buildx create --name carbon --driver docker-container >/dev/null ||
      fail "could not create the buildx builder 'carbon'; docker's message is above."
  fi
  docker buildx build --builder carbon --platform "$platform" --file "$dockerfile" \
    --tag "$image:$inputs_tag" --tag "$image:$commit_tag" --tag "$image:$branch_tag" \
    --cache-from "type=registry,ref=$cache_ref" \
    --cache-to "type=registry,ref=$cache_ref,mode=max,image-manifest=true,oci-mediatypes=true" \
    --provenance=false --metadata-file "$state_dir/build-metadata.json" --push "$context" ||
    fail "docker buildx build failed for $dockerfile (context $context); docker's message is above."
  digest="$(jq -r '."containerimage.digest" // empty' "$state_dir/build-metadata.json" \
    2>/dev/null || true)"
  printf 'Pushed %s:%s (%s), also tagged %s and %s.\n' \
    "$image" "$inputs_tag" "${digest:-digest unknown}" "$commit_tag" "$branch_tag"
  built=true
fi

export_for_later_steps CARBON_IMAGE_URI "$image:$inputs_tag"
export_for_later_steps CARBON_IMAGE_TAG "$inputs_tag"
export_for_later_steps CARBON_IMAGE_DIGEST "$digest"
export_for_later_steps CARBON_IMAGE_BUILT "$built"
