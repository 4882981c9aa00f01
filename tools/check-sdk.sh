#!/usr/bin/env bash
# CI check of the generated SDKs (run by .ci/run after scripts/setup.sh):
#   1. tools/gen-sdk.sh regenerates sdk/ and node_pulumi/pulumi-plugin.json from the plugin's
#      schema and version: nothing may change;
#   2. the TypeScript SDK compiles with tsc against @pulumi/pulumi from npm (pinned by
#      sdk/nodejs/package-lock.json), and so does examples/typescript against it;
#   3. the Go SDK builds and vets against github.com/pulumi/pulumi/sdk/v3 (pinned by
#      sdk/go/go.mod), and so does examples/go against it.
# The C# SDK is only generated: no .NET here. npm's cache (~/.npm) and Go's caches stay outside
# the repo; node_modules/ and sdk/nodejs/bin/ are git-ignored. Step 2 leaves examples/typescript
# installed (node_modules, the SDK linked from sdk/nodejs/bin), as the TypeScript lifecycle tests
# (tests/lifecycle/test_sdk_examples.py) run it.
#
# Usage: bash tools/check-sdk.sh [regenerate|typescript|golang]...   (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
log() { echo "check-sdk.sh: $*" >&2; }
step() {
  local start=$SECONDS
  "$@"
  log "$(printf '%q ' "$@")- ok in $((SECONDS - start))s"
}

regenerate() {
  bash tools/gen-sdk.sh
  local generated=(sdk node_pulumi/pulumi-plugin.json)
  if [ -n "$(git status --porcelain -- "${generated[@]}")" ]; then
    git status --short -- "${generated[@]}" >&2
    git --no-pager diff -- "${generated[@]}" >&2
    log "${generated[*]} differ from what tools/gen-sdk.sh generates: run it and commit them"
    return 1
  fi
}

typescript() {
  (
    cd sdk/nodejs
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    npx --no-install tsc
    # What gets published is bin/ with the package's manifest (as Pulumi's providers do).
    cp package.json README.md bin/
  )
  (
    cd examples/typescript
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    npx --no-install tsc -p .
  )
}

golang() {
  (cd sdk/go && go build ./... && go vet ./...)
  (cd examples/go && go vet ./... && go build -o /dev/null .)
}

[ $# -gt 0 ] || set -- regenerate typescript golang
for name in "$@"; do
  case $name in
    regenerate | typescript | golang) step "$name" ;;
    *) log "usage: $0 [regenerate|typescript|golang]..."; exit 2 ;;
  esac
done
