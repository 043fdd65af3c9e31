#!/usr/bin/env bash
# Puts CircleCI's configuration schema where Carbon looks for it by default
# (../shared/circleci/schema.json), at the commit the project was validated with, and checks
# its digest. Reads nothing from the environment; writes ../shared/circleci/schema.json.
set -euo pipefail

commit="c9a13f55002be4d417369b2dfce7f9da1ea7e517"
digest="943887ba97ed0047f4170e83d3e5bf045ae12d824f6da56ca50c2224a7fbb458"
url="https://raw.githubusercontent.com/CircleCI-Public/circleci-yaml-language-server/${commit}/schema.json"
target="../shared/circleci/schema.json"

if [[ -f "$target" ]]; then
  echo "The schema is already at ${target}."
  exit 0
fi
mkdir -p "$(dirname "$target")"
curl -fsSL --retry 3 -o "${target}.tmp" "$url"
actual="$(sha256sum "${target}.tmp" | cut -d ' ' -f 1)"
if [[ "$actual" != "$digest" ]]; then
  rm -f "${target}.tmp"
  echo "The schema downloaded from ${url} has digest ${actual}, not ${digest}." >&2
  exit 1
fi
mv "${target}.tmp" "$target"
echo "Fetched the CircleCI schema (${commit}) into ${target}."
