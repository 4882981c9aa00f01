#!/usr/bin/env bash
# Prints (the only line on stdout) the path of an actionlint binary: the version pinned in
# tools/actionlint/go.mod, built once from the Go module proxy (needs Go; ~20 s cold) into
# ${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/actionlint-<version>/bin and
# reused afterwards (rebuilt when go.mod, go.sum or the flags change). Same pattern as
# tools/pulumi-cli.sh, without looking at PATH: CI must lint with the pinned version.
#
# Usage: "$(bash tools/actionlint.sh)" examples/ci/*.yml
set -euo pipefail

log() { echo "actionlint.sh: $*" >&2; }
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

version=$(sed -n 's#^[[:space:]]*github.com/rhysd/actionlint \(v[^ ]*\).*#\1#p' "$tools/actionlint/go.mod")
[ -n "$version" ] || { log "no github.com/rhysd/actionlint version in tools/actionlint/go.mod"; exit 1; }
bin=${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/actionlint-$version/bin
stamp="$bin/.complete"
flags=(-trimpath -ldflags "-X github.com/rhysd/actionlint.version=$version")
inputs=$(cat "$tools/actionlint/go.mod" "$tools/actionlint/go.sum" <(echo "${flags[*]}") |
  sha256sum | cut -d' ' -f1)
mkdir -p "$bin"
exec 9>"$bin/.lock"
flock 9 # one build at a time; the others wait for it and reuse it

if [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
  rm -f "$stamp"
  log "building actionlint $version into $bin (once)"
  start=$SECONDS
  (
    cd "$tools/actionlint"
    CGO_ENABLED=0 go build "${flags[@]}" -o "$bin/actionlint.tmp" github.com/rhysd/actionlint/cmd/actionlint
  ) >&2
  mv "$bin/actionlint.tmp" "$bin/actionlint"
  echo "$inputs" >"$stamp"
  log "built in $((SECONDS - start))s"
fi
echo "$bin/actionlint"
