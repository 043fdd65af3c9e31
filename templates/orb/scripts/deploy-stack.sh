#!/usr/bin/env bash
set -euo pipefail
# deploy-stack.sh: deploy the carbon repository's CloudFormation template as a stack, with the image
# just pushed as its ImageUri parameter: the stack is created when it does not exist (a new project's
# first build), updated through a change set otherwise, and left alone when nothing changed. The
# stack owns the image: its task definition and service take it, so nothing rolls the service after.
#
# Reads (environment):
#   CARBON_HELPERS           required  scripts/helpers.sh, which the step includes
#   CARBON_CFN_TEMPLATE      required  the template's path, relative to the carbon checkout
#   CARBON_CARBON_PATH       required  the carbon repository's checkout folder
#   CARBON_CFN_STACK         required  the stack's name
#   CARBON_CFN_PARAMETERS    optional  the template's other parameters, one Name=value per line. Default: none
#   CARBON_CFN_CAPABILITIES  optional  capabilities separated by spaces: CAPABILITY_IAM,
#                                      CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND. Default: none
#   CARBON_PROJECT           required  Carbon project id (the stack's carbon:project tag)
#   CARBON_REPOSITORY        required  Carbon repository id (the stack's carbon:repository tag)
#   CARBON_AWS_REGION        required  AWS region, e.g. us-east-1
#   CARBON_IMAGE_URI         required  the image built for this commit (exported by build-image.sh)
#   CARBON_STATE_DIR         required  the job's state folder: state-open.sh makes it and names it to
#                                      the later steps; state-cleanup.sh removes it at the end of the job
#   AWS credentials from the environment (see aws-login.sh)
# Writes:
#   $CARBON_STATE_DIR/deploy-stack.XXXXXX  AWS's error output, deleted on exit
# Runs:
#   aws cloudformation validate-template --template-body file://T --region R --output json
#   aws cloudformation describe-stacks --stack-name S --region R --output json
#   aws cloudformation deploy --template-file T --stack-name S --parameter-overrides ImageUri=IMAGE
#     [NAME=value...] [--capabilities C...] --tags carbon:project=P carbon:repository=REPO
#     --no-fail-on-empty-changeset --region R
#   when the deploy fails: aws cloudformation describe-stack-events --stack-name S --max-items 20
#     --region R --output json
#   aws cloudformation describe-stacks (as above), for the outcome and the stack's outputs
# The template must declare ImageUri and every parameter of CARBON_CFN_PARAMETERS: the CLI would
# silently leave out a parameter the template does not declare.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name deploy-stack.sh
readonly image_parameter='ImageUri'
# What CloudFormation takes as a TemplateBody; beyond it the CLI wants an S3 bucket.
readonly max_template_bytes=51200

require CARBON_CFN_TEMPLATE 'the path of the template, relative to the carbon checkout'
require CARBON_CARBON_PATH "the carbon repository's checkout folder"
require CARBON_CFN_STACK 'the name of the stack'
require CARBON_PROJECT 'the Carbon project id'
require CARBON_REPOSITORY 'the Carbon repository id'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'
require CARBON_IMAGE_URI 'the image to deploy (build-image.sh exports it)'
require CARBON_STATE_DIR "the job's state folder (the job's first step, state-open.sh, names it)"

carbon="${CARBON_CARBON_PATH%/}"
template="$carbon/$CARBON_CFN_TEMPLATE"
stack="$CARBON_CFN_STACK"
region="$CARBON_AWS_REGION"
image="$CARBON_IMAGE_URI"
state_dir="$CARBON_STATE_DIR"
(umask 077 && mkdir -p "$state_dir")
export AWS_PAGER=''

[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  fail "CARBON_AWS_REGION is not an AWS region: '$region'." "Expected a region such as us-east-1."
[[ "$stack" =~ ^[A-Za-z][A-Za-z0-9-]{0,127}$ ]] ||
  fail "CARBON_CFN_STACK is not a CloudFormation stack name: '$stack'." \
    "Use letters, digits and -, starting with a letter, at most 128 characters."
[[ "$CARBON_CFN_TEMPLATE" != /* ]] ||
  fail "CARBON_CFN_TEMPLATE must be relative to the carbon checkout ($carbon), got '$CARBON_CFN_TEMPLATE'."
[[ -e "$template" ]] ||
  fail "the template $template does not exist." \
    "Add '$CARBON_CFN_TEMPLATE' to the carbon repository (branch being cloned), or fix the template" \
    "path in the project settings."
[[ -f "$template" ]] || fail "the template $template is not a file."
# Through a link, a template could come from outside the carbon repository.
[[ "$(realpath "$template")" == "$(realpath "$carbon")"/* ]] ||
  fail "the template $template leads outside the carbon repository (to $(realpath "$template"))."
size="$(wc -c <"$template" | tr -d ' ')"
((size <= max_template_bytes)) ||
  fail "the template $template has $size bytes; CloudFormation takes at most $max_template_bytes in a" \
    "request, and larger templates need an S3 bucket, which Carbon does not use. Split it (nested" \
    "stacks), or provision with a hook."

capabilities=()
for capability in ${CARBON_CFN_CAPABILITIES:-}; do
  case "$capability" in
    CAPABILITY_IAM | CAPABILITY_NAMED_IAM | CAPABILITY_AUTO_EXPAND) capabilities+=("$capability") ;;
    *) fail "CARBON_CFN_CAPABILITIES has '$capability'; capabilities are CAPABILITY_IAM," \
      "CAPABILITY_NAMED_IAM and CAPABILITY_AUTO_EXPAND." ;;
  esac
done

overrides=("$image_parameter=$image")
names=()
while IFS= read -r line; do
  [[ -n "$line" ]] || continue
  [[ "$line" =~ ^([A-Za-z0-9]+)= ]] ||
    fail "CARBON_CFN_PARAMETERS has a line that is not Name=value: '$line'."
  name="${BASH_REMATCH[1]}"
  [[ "$name" != "$image_parameter" ]] ||
    fail "CARBON_CFN_PARAMETERS sets $image_parameter, which is the image this job built: remove it."
  overrides+=("$line")
  names+=("$name")
done < <(printf '%s\n' "${CARBON_CFN_PARAMETERS:-}")

errors="$(mktemp "$state_dir/deploy-stack.XXXXXX")"
trap 'rm -f "$errors"' EXIT

# 1. The template as CloudFormation reads it: it must take the image, and every parameter given.
validation="$(aws cloudformation validate-template --template-body "file://$template" \
  --region "$region" --output json 2>"$errors")" || {
  cat "$errors" >&2
  fail "CloudFormation refused the template $template; its message is above."
}
declared="$(printf '%s' "$validation" | jq -r '.Parameters // [] | .[].ParameterKey')"
listed="$(printf '%s' "$declared" | paste -sd' ' -)"
for name in "$image_parameter" ${names[@]+"${names[@]}"}; do
  ! printf '%s\n' "$declared" | grep -qxF -- "$name" || continue
  [[ "$name" != "$image_parameter" ]] ||
    fail "the template $template declares no parameter $image_parameter, which takes the image this job" \
      "built. Declare it (Parameters: $image_parameter: Type: String) and use it as the container's" \
      "Image (!Ref $image_parameter). Its parameters: ${listed:-none}."
  fail "the template $template declares no parameter $name, which the project settings give it." \
    "Its parameters: ${listed:-none}. Declare it, or remove it from build.provision.cloudformation.parameters."
done

# Prints the stack's latest events (newest first): what CloudFormation says went wrong.
print_events() {
  local events
  events="$(aws cloudformation describe-stack-events --stack-name "$stack" --max-items 20 \
    --region "$region" --output json 2>/dev/null)" || return 0
  printf 'Latest events of stack %s:\n' "$stack" >&2
  printf '%s' "$events" | jq -r '.StackEvents // [] | .[] |
    "  \(.Timestamp)  \(.LogicalResourceId) \(.ResourceStatus)\(if .ResourceStatusReason then ": \(.ResourceStatusReason)" else "" end)"' >&2
}

# 2. The stack as it is: none yet (this build creates it), or one that can be updated.
status=0
described="$(aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
  --output json 2>"$errors")" || status=$?
if [[ "$status" -ne 0 ]]; then
  if ! grep -q 'does not exist' "$errors"; then
    cat "$errors" >&2
    fail "could not look up the stack $stack in $region (aws exit $status); AWS's message is above."
  fi
  printf 'Stack %s does not exist in %s: creating it from %s with %s=%s\n' \
    "$stack" "$region" "$template" "$image_parameter" "$image"
else
  stack_status="$(printf '%s' "$described" | jq -r '.Stacks[0].StackStatus // "UNKNOWN"')"
  if [[ "$stack_status" == ROLLBACK_COMPLETE ]]; then
    print_events
    fail "the stack $stack is ROLLBACK_COMPLETE: its creation failed (the events above say why), and" \
      "CloudFormation cannot update such a stack. Delete it, then build again:" \
      "  aws cloudformation delete-stack --stack-name $stack --region $region"
  fi
  printf 'Updating stack %s (%s) from %s with %s=%s\n' \
    "$stack" "$stack_status" "$template" "$image_parameter" "$image"
fi

# 3. The change set: made, executed and waited for by the CLI; no change is no failure.
arguments=(cloudformation deploy --template-file "$template" --stack-name "$stack"
  --parameter-overrides "${overrides[@]}")
((${#capabilities[@]} == 0)) || arguments+=(--capabilities "${capabilities[@]}")
arguments+=(--tags "carbon:project=$CARBON_PROJECT" "carbon:repository=$CARBON_REPOSITORY"
  --no-fail-on-empty-changeset --region "$region")
status=0
aws "${arguments[@]}" || status=$?
if [[ "$status" -ne 0 ]]; then
  print_events
  fail "could not deploy the stack $stack (aws exit $status); the CLI's message and the stack's events" \
    "are above. Nothing else was deployed."
fi

# 4. Where it stands now, with its outputs.
described="$(aws cloudformation describe-stacks --stack-name "$stack" --region "$region" \
  --output json)" || fail "could not describe the stack $stack after deploying it; AWS's message is above."
printf '%s' "$described" | jq -r '.Stacks[0] |
  "Stack \(.StackName) is \(.StackStatus).",
  (.Outputs // [] | .[] | "  \(.OutputKey) = \(.OutputValue)")'
