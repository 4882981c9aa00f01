#!/usr/bin/env bash
# Prints (the only line on stdout) a directory holding Pulumi YAML's language host,
# `pulumi-language-yaml`, which the engine needs to run a `runtime: yaml` project.
#
# A `pulumi-language-yaml` on PATH is used when it is there. Otherwise the host pinned in
# tools/pulumi-yaml/go.mod is built once (needs Go and the Go module proxy, ~3 min cold) into
# ${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/pulumi-yaml-<version>/bin and
# reused afterwards. When the CLI in use (NODE_PULUMI_CLI_DIR, else the `pulumi` on PATH) is the
# one tools/pulumi-cli.sh built into that cache, the host is also installed beside it and that
# directory is printed: the engine finds language hosts beside `pulumi` as well as on PATH.
#
# Usage: dir=$(tools/pulumi-yaml.sh) && PATH=$dir:$PATH pulumi ...
#        tools/pulumi-yaml.sh --if-built   # never builds: exits 1, printing nothing, when no
#                                          # host is on PATH or built (the demo uses this)
set -euo pipefail

log() { echo "pulumi-yaml.sh: $*" >&2; }
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=1
case "${1:-}" in
  --if-built) build= ;;
  "") ;;
  *) log "usage: $0 [--if-built]"; exit 2 ;;
esac

cache=${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)

# 1. A host installed otherwise (one in our cache is checked against the pin below).
if host=$(command -v pulumi-language-yaml); then
  dir=$(cd "$(dirname "$host")" && pwd -P)
  case "$dir/" in
    "$cache"/*) ;;
    *) echo "$dir"; exit 0 ;;
  esac
fi

# shellcheck source=lib.sh
source "$tools/lib.sh"

# 2. The pinned build, in the cache.
version=$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi-yaml \(v[^ ]*\).*#\1#p' "$tools/pulumi-yaml/go.mod")
[ -n "$version" ] || { log "no github.com/pulumi/pulumi-yaml version in tools/pulumi-yaml/go.mod"; exit 1; }
bin=$cache/pulumi-yaml-$version/bin
stamp="$bin/.complete"
flags=(-trimpath -ldflags "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=$version")
inputs=$(cat "$tools/pulumi-yaml/go.mod" "$tools/pulumi-yaml/go.sum" <(echo "${flags[*]}") |
  sha256sum | cut -d' ' -f1)

if [ ! -x "$bin/pulumi-language-yaml" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
  [ -n "$build" ] || exit 1
  cached_go_build "$tools/pulumi-yaml" "$bin" pulumi-language-yaml "$inputs" \
    "${flags[@]}" github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml
fi

# 3. Beside our cached CLI, when that is the CLI in use.
cli=${NODE_PULUMI_CLI_DIR:-}
if [ -z "$cli" ] && pulumi=$(command -v pulumi); then cli=$(dirname "$pulumi"); fi
if [ -n "$cli" ] && [ -x "$cli/pulumi" ] && [ -f "$cli/.complete" ]; then
  cli=$(cd "$cli" && pwd -P)
  case "$cli/" in
    "$cache"/pulumi-v*/bin/)
      install_beside "$cli" yaml-host "$bin/pulumi-language-yaml"
      echo "$cli"
      exit 0
      ;;
  esac
fi
echo "$bin"
