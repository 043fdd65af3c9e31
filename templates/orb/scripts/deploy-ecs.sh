#!/usr/bin/env bash
set -euo pipefail
# deploy-ecs.sh: roll an ECS service onto a new image. It registers a copy of the service's current
# task definition in which only one container's image changed (every other field is kept), points
# the service at it with the deployment circuit breaker (rollback) on, and waits until the service
# is stable on it.
#
# It speaks ECS's JSON API itself (curl --aws-sigv4, signed with the job's credentials), never
# through the AWS CLI: the CLI parses every answer through the model it was built with and drops
# the members it does not know, so a task definition or deployment configuration read and written
# back through it would lose every field newer than the CLI. What ECS answers is what is sent back.
#
# Reads (environment):
#   CARBON_HELPERS          required  scripts/helpers.sh, which the step includes
#   CARBON_ECS_CLUSTER      required  cluster name or ARN
#   CARBON_ECS_SERVICE      required  service name or ARN
#   CARBON_ECS_CONTAINER    required  name of the container (in the task definition) to update
#   CARBON_AWS_REGION       required  AWS region, e.g. us-east-1
#   CARBON_IMAGE_URI        required  the new image (exported by build-image.sh)
#   CARBON_PROVISION        optional  the build's provision step (hook, cloudformation or empty), for
#                                     the message when the service does not exist. Default: empty
#   CARBON_DEPLOY_TIMEOUT   optional  seconds to wait for the service to be stable. Default: 900
#   CARBON_POLL_INTERVAL    optional  seconds between checks, fractions allowed. Default: 15
#   CARBON_STATE_DIR        required  the job's state folder: state-open.sh makes it and names it to
#                                     the later steps; state-cleanup.sh removes it at the end of the job
#   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  required  the job's credentials (aws-login.sh exports
#                                     them); given to curl on its stdin, never in its arguments
#   AWS_SESSION_TOKEN       optional  their session token (aws-login.sh exports it)
#   AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL  optional  where ECS is, as the AWS CLI reads them (the
#                                     first set wins). Default: https://ecs.<region>.amazonaws.com
#                                     (amazonaws.com.cn in China)
# Writes (in $CARBON_STATE_DIR, which holds the task definition's plaintext environment):
#   ecs-<Operation>.json       the request of each ECS call; task-definition.json: the register request
#   ecs-answer.XXXXXX          ECS's answers, deleted on exit
# Calls (POST / with X-Amz-Target: AmazonEC2ContainerServiceV20141113.<Operation>), in order:
#   DescribeServices        {cluster, services: [service]}
#   DescribeTaskDefinition  {taskDefinition: <current ARN>, include: [TAGS]}
#   RegisterTaskDefinition  the described task definition and its tags, without the members
#                           RegisterTaskDefinition does not take, with only the container's image changed
#   UpdateService           {cluster, service, taskDefinition: <new ARN>, deploymentConfiguration: the
#                           described one with deploymentCircuitBreaker enable and rollback on}
#   DescribeServices (as above) every CARBON_POLL_INTERVAL seconds, printing one line each time
#     (rollout state, running/desired/pending tasks), until the new deployment's rolloutState is
#     COMPLETED, it is the service's only deployment and runningCount = desiredCount.
# Throttling and server errors are tried again (three tries in all), as the AWS CLI does.
# Fails at once when the rollout FAILED (the circuit breaker rolls back), after CARBON_DEPLOY_TIMEOUT
# seconds otherwise (no sleep goes past it); both print the deployments and the 10 latest events.
# A service or cluster that does not exist fails in one line naming both and the ways out.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name deploy-ecs.sh

require CARBON_ECS_CLUSTER 'the name of the ECS cluster'
require CARBON_ECS_SERVICE 'the name of the ECS service'
require CARBON_ECS_CONTAINER 'the name of the container whose image changes'
require CARBON_AWS_REGION 'the AWS region, e.g. us-east-1'
require CARBON_IMAGE_URI 'the image to deploy (build-image.sh exports it)'
require AWS_ACCESS_KEY_ID "the job's AWS access key (the AWS login step exports it)"
require AWS_SECRET_ACCESS_KEY "the job's AWS secret key (the AWS login step exports it)"

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

[[ "$timeout" =~ ^[0-9]+$ ]] ||
  fail "CARBON_DEPLOY_TIMEOUT must be a whole number of seconds, got '$timeout'."
[[ "$interval" =~ ^([0-9]+|[0-9]*\.[0-9]+)$ && ! "$interval" =~ ^[0.]+$ ]] ||
  fail "CARBON_POLL_INTERVAL must be a positive number of seconds (such as 15 or 0.5), got '$interval'."
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  fail "CARBON_AWS_REGION is not an AWS region: '$region'." "Expected a region such as us-east-1."

endpoint="${AWS_ENDPOINT_URL_ECS:-${AWS_ENDPOINT_URL:-}}"
if [[ -z "$endpoint" ]]; then
  domain='amazonaws.com'
  [[ "$region" != cn-* ]] || domain='amazonaws.com.cn'
  endpoint="https://ecs.$region.$domain"
fi
endpoint="${endpoint%/}"
answer="$(mktemp "$state_dir/ecs-answer.XXXXXX")"
trap 'rm -f "$answer"' EXIT

# Milliseconds since the epoch (EPOCHREALTIME on bash 5, whole seconds from date elsewhere).
now_ms() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    local now="${EPOCHREALTIME/[.,]/}"
    printf '%s\n' "$((10#$now / 1000))"
  else
    printf '%s\n' "$(($(date +%s) * 1000))"
  fi
}

# A value for curl's configuration: within double quotes, backslashes and quotes escaped.
curl_quoted() {
  local value="${1//\\/\\\\}"
  printf '"%s"' "${value//\"/\\\"}"
}

# curl's options that carry the credentials, for its --config on stdin: never in its arguments.
credentials() {
  printf 'user = %s\n' "$(curl_quoted "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY")"
  [[ -z "${AWS_SESSION_TOKEN:-}" ]] ||
    printf 'header = %s\n' "$(curl_quoted "x-amz-security-token: $AWS_SESSION_TOKEN")"
}

# ecs OPERATION REQUEST_FILE: calls ECS; its JSON answer is then in $answer. On an error it sets
# ecs_error to ECS's error type (or curl's), ecs_failure to a sentence saying it all, and returns 1;
# throttling, server and connection errors are tried again first.
ecs_error=''
ecs_failure=''
ecs() {
  local operation="$1" request="$2" attempt code http
  for attempt in 1 2 3; do
    code=0
    http="$(credentials | curl --silent --show-error --config - --aws-sigv4 "aws:amz:$region:ecs" \
      --header "X-Amz-Target: AmazonEC2ContainerServiceV20141113.$operation" \
      --header 'Content-Type: application/x-amz-json-1.1' --data-binary "@$request" \
      --output "$answer" --write-out '%{http_code}' --connect-timeout 10 --max-time 60 \
      "$endpoint/")" || code=$?
    if ((code != 0)); then
      ecs_error="curl exit $code"
    elif [[ "$http" == 200 ]]; then
      ecs_error=''
      return 0
    else
      ecs_error="$(jq -r '(.__type // "") | sub(".*#"; "")' "$answer" 2>/dev/null || true)"
      ecs_error="${ecs_error:-HTTP $http}"
    fi
    case "$ecs_error" in
      curl* | HTTP\ 5* | ThrottlingException | ServerException | ServiceUnavailableException) ;;
      *) break ;;
    esac
    ((attempt == 3)) || sleep "$attempt"
  done
  ecs_failure="ECS ($endpoint) answered $operation with $ecs_error$(
    jq -r '.message // .Message // empty | ": \(.)"' "$answer" 2>/dev/null || true
  )"
  return 1
}

describe_request="$state_dir/ecs-DescribeServices.json"
jq -n --arg cluster "$cluster" --arg service "$service" \
  '{cluster: $cluster, services: [$service]}' >"$describe_request"

# The one line for a service that is not there: what is missing, and the two ways out.
missing() {
  case "${CARBON_PROVISION:-}" in
    hook) fail "$1, after the provision hook ran: make the hook create it, or create the service." ;;
    cloudformation)
      fail "$1, after the stack was deployed: make the template create it, or create the service."
      ;;
    *)
      fail "$1: add a provision step to the build (build.provision: a hook or a CloudFormation template that creates it), or create the service."
      ;;
  esac
}

# Prints the deployments and the 10 most recent service events of the describe-services answer $1.
print_service_state() {
  printf 'Deployments of %s in %s:\n' "$service" "$cluster" >&2
  printf '%s' "$1" | jq -r '.services[0].deployments // [] | .[] |
    "  \(.status) \(.taskDefinition) rollout=\(.rolloutState // "-") running=\(.runningCount)/\(.desiredCount) pending=\(.pendingCount // 0) failedTasks=\(.failedTasks // 0)" +
    (if .rolloutStateReason then "\n    \(.rolloutStateReason)" else "" end)' >&2
  printf 'Most recent service events:\n' >&2
  # ECS's JSON has seconds since the epoch where the CLI prints dates.
  printf '%s' "$1" | jq -r '.services[0].events // [] | sort_by(.createdAt) | reverse | .[:10][] |
    "  \(.createdAt | if type == "number" then (floor | todate) else . end)  \(.message)"' >&2
}

# 1. The service as it is now.
where="ECS service $service does not exist in cluster $cluster ($region)"
if ! ecs DescribeServices "$describe_request"; then
  [[ "$ecs_error" != ClusterNotFoundException ]] ||
    missing "ECS cluster $cluster does not exist in $region, nor service $service in it"
  fail "could not describe service $service in cluster $cluster ($region):" "$ecs_failure"
fi
description="$(cat "$answer")"
failures="$(jq -r '.failures // [] | .[] | "\(.arn // "?"): \(.reason // "?") \(.detail // "")"' "$answer")"
if [[ -n "$failures" ]]; then
  [[ "$(jq -r '.failures[0].reason // ""' "$answer")" != MISSING ]] || missing "$where"
  fail "ECS could not describe service $service in cluster $cluster ($region):" "$failures" \
    "Check the cluster and service names in the project settings, and the region."
fi
service_status="$(jq -r '.services[0].status // "MISSING"' "$answer")"
# A deleted service stays INACTIVE for a while: as good as missing.
[[ "$service_status" != INACTIVE && "$service_status" != MISSING ]] || missing "$where (it is $service_status)"
[[ "$service_status" == ACTIVE ]] ||
  fail "service $service in cluster $cluster is $service_status, not ACTIVE; Carbon deploys only to active services."
controller="$(jq -r '.services[0].deploymentController.type // "ECS"' "$answer")"
[[ "$controller" == ECS ]] ||
  fail "service $service in cluster $cluster uses the $controller deployment controller." \
    "Carbon deploys with ECS rolling updates (deployment controller ECS) and the circuit breaker."
current_arn="$(jq -r '.services[0].taskDefinition' "$answer")"

# 2. Its task definition, with tags.
task_request="$state_dir/ecs-DescribeTaskDefinition.json"
jq -n --arg arn "$current_arn" '{taskDefinition: $arn, include: ["TAGS"]}' >"$task_request"
ecs DescribeTaskDefinition "$task_request" ||
  fail "could not describe the task definition $current_arn:" "$ecs_failure"
current="$(cat "$answer")"

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
register_request="$state_dir/task-definition.json"
printf '%s' "$current" | jq --arg name "$container" --arg image "$image" \
  --argjson readonly "$readonly_members" '
  (.tags // []) as $tags
  | .taskDefinition
  | with_entries(select(.key as $key | $readonly | index($key) | not))
  | .containerDefinitions |= map(if .name == $name then .image = $image else . end)
  | if ($tags | length) > 0 then .tags = $tags else . end' >"$register_request"
ecs RegisterTaskDefinition "$register_request" ||
  fail "could not register the new task definition (request in $register_request):" "$ecs_failure"
new_arn="$(jq -r '.taskDefinition.taskDefinitionArn // empty' "$answer")"
[[ -n "$new_arn" ]] || fail "RegisterTaskDefinition answered without a taskDefinitionArn."
printf 'Registered %s (from %s) with %s = %s\n' "$new_arn" "$current_arn" "$container" "$image"

# 4. Point the service at it, keeping its deployment settings as ECS gave them, circuit breaker on.
update_request="$state_dir/ecs-UpdateService.json"
printf '%s' "$description" | jq --arg cluster "$cluster" --arg service "$service" --arg arn "$new_arn" '
  {cluster: $cluster, service: $service, taskDefinition: $arn,
   deploymentConfiguration: ((.services[0].deploymentConfiguration // {})
     * {deploymentCircuitBreaker: {enable: true, rollback: true}})}' >"$update_request"
ecs UpdateService "$update_request" ||
  fail "could not update service $service in cluster $cluster:" "$ecs_failure" \
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
  if ecs DescribeServices "$describe_request"; then
    description="$(cat "$answer")"
  else
    warn "$ecs_failure; trying again."
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
