#!/usr/bin/env bash
# Prints (the only line on stdout) the path of an actionlint binary: the version pinned in
# tools/actionlint/go.mod, built once from the Go module proxy (needs Go; ~20 s cold) into
# ${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/actionlint-<version>/bin and
# reused afterwards (rebuilt when go.mod, go.sum or the flags change; tools/lib.sh).
# Unlike tools/pulumi-cli.sh it never looks at PATH: CI must lint with the pinned version.
#
# Usage: "$(bash tools/actionlint.sh)" examples/ci/*.yml
set -euo pipefail

log() { echo "actionlint.sh: $*" >&2; }
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

version=$(sed -n 's#^[[:space:]]*github.com/rhysd/actionlint \(v[^ ]*\).*#\1#p' "$tools/actionlint/go.mod")
[ -n "$version" ] || { log "no github.com/rhysd/actionlint version in tools/actionlint/go.mod"; exit 1; }
bin=${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/actionlint-$version/bin
flags=(-trimpath -ldflags "-X github.com/rhysd/actionlint.version=$version")
inputs=$(cat "$tools/actionlint/go.mod" "$tools/actionlint/go.sum" <(echo "${flags[*]}") |
  sha256sum | cut -d' ' -f1)
# shellcheck source=lib.sh
source "$tools/lib.sh"
cached_go_build "$tools/actionlint" "$bin" actionlint "$inputs" \
  "${flags[@]}" github.com/rhysd/actionlint/cmd/actionlint
echo "$bin/actionlint"
