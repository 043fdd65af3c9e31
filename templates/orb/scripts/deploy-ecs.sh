#!/usr/bin/env bash
set -euo pipefail
# deploy-ecs.sh: roll an ECS service onto a new image. It registers a copy of the service's current
# task definition in which only one container's image changed (every other field is kept), points
# the service at it with the deployment circuit breaker (rollback) on, and waits until the service
# is stable on it.
#
# Reads (environment):
#   CARBON_ECS_CLUSTER      required  cluster name or ARN
#   CARBON_ECS_SERVICE      required  service name or ARN
#   CARBON_ECS_CONTAINER    required  name of the container (in the task definition) to update
#   CARBON_AWS_REGION       required  AWS region, e.g. us-east-1
#   CARBON_IMAGE_URI        required  the new image (exported by build-image.sh)
#   CARBON_DEPLOY_TIMEOUT   optional  seconds to wait for the service to be stable. Default: 900
#   CARBON_POLL_INTERVAL    optional  seconds between checks, fractions allowed. Default: 15
#   CARBON_STATE_DIR        required  the job's state folder: state-open.sh makes it and names it to
#                                     the later steps; state-cleanup.sh removes it at the end of the job
#   AWS credentials from the environment (see aws-login.sh)
# Writes:
#   $CARBON_STATE_DIR/task-definition.json         the register-task-definition request
#   $CARBON_STATE_DIR/deployment-configuration.json  the update-service deployment configuration
# Runs, in order:
#   aws ecs describe-services --cluster C --services S --region R --output json
#   aws ecs describe-task-definition --task-definition <current ARN> --include TAGS --region R --output json
#   aws ecs register-task-definition --cli-input-json file://<task-definition.json> --region R --output json
#   aws ecs update-service --cluster C --service S --task-definition <new ARN>
#     --deployment-configuration file://<deployment-configuration.json> --region R --output json
#   aws ecs describe-services (same arguments as above) every CARBON_POLL_INTERVAL seconds, printing
#     one line each time (rollout state, running/desired/pending tasks), until the new deployment's
#     rolloutState is COMPLETED, it is the service's only deployment and runningCount = desiredCount.
# Fails at once when the rollout FAILED (the circuit breaker rolls back), after CARBON_DEPLOY_TIMEOUT
# seconds otherwise (no sleep goes past it); both print the deployments and the 10 latest events.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
readonly script_name='deploy-ecs.sh'

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

require CARBON_ECS_CLUSTER 'the name of the ECS cluster'
require CARBON_ECS_SERVICE 'the name of the ECS service'
require CARBON_ECS_CONTAINER 'the name of the container whose image changes'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'
require CARBON_IMAGE_URI 'the image to deploy (build-image.sh exports it)'

cluster="$CARBON_ECS_CLUSTER"
service="$CARBON_ECS_SERVICE"
container="$CARBON_ECS_CONTAINER"
region="$CARBON_AWS_REGION"
image="$CARBON_IMAGE_URI"
timeout="${CARBON_DEPLOY_TIMEOUT:-900}"
interval="${CARBON_POLL_INTERVAL:-15}"
require CARBON_STATE_DIR "the job's state folder (the job's first step, state-open.sh, names it)"
state_dir="$CARBON_STATE_DIR"
(umask 077 && mkdir -p "$state_dir")
export AWS_PAGER=''

[[ "$timeout" =~ ^[0-9]+$ ]] ||
  fail "CARBON_DEPLOY_TIMEOUT must be a whole number of seconds, got '$timeout'."
[[ "$interval" =~ ^([0-9]+|[0-9]*\.[0-9]+)$ && ! "$interval" =~ ^[0.]+$ ]] ||
  fail "CARBON_POLL_INTERVAL must be a positive number of seconds (such as 15 or 0.5), got '$interval'."
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  fail "CARBON_AWS_REGION is not an AWS region: '$region'." "Expected a region such as us-east-1."

# Milliseconds since the epoch (EPOCHREALTIME on bash 5, whole seconds from date elsewhere).
now_ms() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    local now="${EPOCHREALTIME/[.,]/}"
    printf '%s\n' "$((10#$now / 1000))"
  else
    printf '%s\n' "$(($(date +%s) * 1000))"
  fi
}

describe_service() {
  aws ecs describe-services --cluster "$cluster" --services "$service" --region "$region" --output json
}

# Prints the deployments and the 10 most recent service events of the describe-services answer $1.
print_service_state() {
  printf 'Deployments of %s in %s:\n' "$service" "$cluster" >&2
  printf '%s' "$1" | jq -r '.services[0].deployments // [] | .[] |
    "  \(.status) \(.taskDefinition) rollout=\(.rolloutState // "-") running=\(.runningCount)/\(.desiredCount) pending=\(.pendingCount // 0) failedTasks=\(.failedTasks // 0)" +
    (if .rolloutStateReason then "\n    \(.rolloutStateReason)" else "" end)' >&2
  printf 'Most recent service events:\n' >&2
  printf '%s' "$1" | jq -r '.services[0].events // [] | sort_by(.createdAt) | reverse | .[:10][] |
    "  \(.createdAt)  \(.message)"' >&2
}


# 1. The service as it is now.
description="$(describe_service)" ||
  fail "could not describe service $service in cluster $cluster ($region); AWS's message is above."
failures="$(printf '%s' "$description" | jq -r '.failures // [] | .[] | "\(.arn // "?"): \(.reason // "?") \(.detail // "")"')"
[[ -z "$failures" ]] ||
  fail "ECS could not find service $service in cluster $cluster ($region):" "$failures" \
    "Check the cluster and service names in the project settings, and the region."
service_status="$(printf '%s' "$description" | jq -r '.services[0].status // "MISSING"')"
[[ "$service_status" == ACTIVE ]] ||
  fail "service $service in cluster $cluster is $service_status, not ACTIVE; Carbon deploys only to active services."
controller="$(printf '%s' "$description" | jq -r '.services[0].deploymentController.type // "ECS"')"
[[ "$controller" == ECS ]] ||
  fail "service $service in cluster $cluster uses the $controller deployment controller." \
    "Carbon deploys with ECS rolling updates (deployment controller ECS) and the circuit breaker."
current_arn="$(printf '%s' "$description" | jq -r '.services[0].taskDefinition')"

# 2. Its task definition, with tags.
current="$(aws ecs describe-task-definition --task-definition "$current_arn" --include TAGS \
  --region "$region" --output json)" ||
  fail "could not describe the task definition $current_arn; AWS's message is above."

names="$(printf '%s' "$current" | jq -r '[.taskDefinition.containerDefinitions[].name] | join(", ")')"
printf '%s' "$current" | jq -e --arg name "$container" \
  'any(.taskDefinition.containerDefinitions[]; .name == $name)' >/dev/null ||
  fail "the task definition $current_arn has no container named '$container'." \
    "Its containers are: $names. Set the container name in the project settings to one of them."

# 3. A copy with only the container's image changed, without the members of the described task
# definition that RegisterTaskDefinition does not accept. The list is AWS's model's (the
# taskDefinition of DescribeTaskDefinition's output less RegisterTaskDefinition's input members);
# test/orb/deploy-ecs.test.ts derives it from the model again and fails when AWS adds one.
readonly_members='["compatibilities","deleteRequestedAt","deregisteredAt","registeredAt","registeredBy","requiresAttributes","revision","status","taskDefinitionArn"]'
request="$state_dir/task-definition.json"
printf '%s' "$current" | jq --arg name "$container" --arg image "$image" \
  --argjson readonly "$readonly_members" '
  (.tags // []) as $tags
  | .taskDefinition
  | with_entries(select(.key as $key | $readonly | index($key) | not))
  | .containerDefinitions |= map(if .name == $name then .image = $image else . end)
  | if ($tags | length) > 0 then .tags = $tags else . end' >"$request"
registered="$(aws ecs register-task-definition --cli-input-json "file://$request" \
  --region "$region" --output json)" ||
  fail "could not register the new task definition (request in $request); AWS's message is above."
new_arn="$(printf '%s' "$registered" | jq -r '.taskDefinition.taskDefinitionArn // empty')"
[[ -n "$new_arn" ]] || fail "register-task-definition answered without a taskDefinitionArn."
printf 'Registered %s (from %s) with %s = %s\n' "$new_arn" "$current_arn" "$container" "$image"

# 4. Point the service at it, keeping its deployment settings, with the circuit breaker on.
deployment_configuration="$state_dir/deployment-configuration.json"
printf '%s' "$description" | jq '(.services[0].deploymentConfiguration // {})
  * {deploymentCircuitBreaker: {enable: true, rollback: true}}' >"$deployment_configuration"
aws ecs update-service --cluster "$cluster" --service "$service" --task-definition "$new_arn" \
  --deployment-configuration "file://$deployment_configuration" --region "$region" --output json \
  >/dev/null ||
  fail "could not update service $service in cluster $cluster; AWS's message is above." \
    "The new task definition $new_arn is registered but not deployed."
printf 'Updated service %s in cluster %s; waiting up to %ss for it to be stable.\n' \
  "$service" "$cluster" "$timeout"

# 5. Wait until the new deployment's rollout is COMPLETED (ECS's own verdict: it reached steady
# state with every task healthy), it is the only deployment left (the old tasks are gone) and all
# its tasks run. One line per look, so that CircleCI's no_output_timeout never sees a silent step.
started=$(now_ms)
deadline=$((started + timeout * 1000))
seen_ours=''
while :; do
  # Never sleep past the deadline: the step then ends within the timeout it announced.
  sleep "$(awk -v interval="$interval" -v left="$((deadline - $(now_ms)))" \
    'BEGIN { left /= 1000; if (left < 0) left = 0; print (interval < left ? interval : left) }')"
  if ! description="$(describe_service)"; then
    warn "describe-services failed; trying again."
    description=''
  fi
  if [[ -n "$description" ]]; then
    printf '%s' "$description" | jq -r --arg arn "$new_arn" --arg elapsed "$((($(now_ms) - started) / 1000))" '
      (.services[0].deployments // []) as $all
      | ($all | map(select(.taskDefinition == $arn)) | .[0]) as $ours
      | if $ours == null then "[\($elapsed)s] the new deployment is not listed yet; \($all | length) deployment(s)"
        else "[\($elapsed)s] \($ours.status) \($ours.id // "-") rollout \($ours.rolloutState // "-"): running \($ours.runningCount)/\($ours.desiredCount), pending \($ours.pendingCount // 0), failed tasks \($ours.failedTasks // 0); \($all | length) deployment(s)" end'
    state="$(printf '%s' "$description" | jq -r --arg arn "$new_arn" '
      (.services[0].deployments // []) as $all
      | ($all | map(select(.taskDefinition == $arn))) as $ours
      | ($all | map(select(.status == "PRIMARY")) | .[0]) as $primary
      | if any($ours[]; .rolloutState == "FAILED") or ($primary.rolloutState == "FAILED") then "failed"
        elif ($all | length) == 1 and $all[0].taskDefinition == $arn
             and $all[0].rolloutState == "COMPLETED"
             and $all[0].runningCount == $all[0].desiredCount then "done"
        elif ($ours | length) == 0 then "absent"
        else "waiting" end')"
    case "$state" in
      done)
        printf '%s' "$description" | jq -r '.services[0].deployments[0] |
          "Service is stable: \(.runningCount)/\(.desiredCount) tasks running \(.taskDefinition)."'
        exit 0
        ;;
      failed)
        print_service_state "$description"
        fail "the deployment of $new_arn to service $service FAILED; the circuit breaker rolls the" \
          "service back to its previous task definition. The events above say why (often a task" \
          "that stops at start-up or fails its health checks)."
        ;;
      absent)
        if [[ -n "$seen_ours" ]]; then
          print_service_state "$description"
          fail "another deployment replaced the deployment of $new_arn to service $service."
        fi
        ;;
      *) seen_ours=yes ;;
    esac
  fi
  if (($(now_ms) >= deadline)); then
    [[ -z "$description" ]] || print_service_state "$description"
    fail "service $service in cluster $cluster was not stable on $new_arn after ${timeout}s." \
      "The deployment goes on in ECS (the circuit breaker rolls it back if it fails); the events" \
      "above say what it waits for. Raise CARBON_DEPLOY_TIMEOUT if it only needs more time."
  fi
done
