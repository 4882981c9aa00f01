#!/usr/bin/env bash
# Prints (the only line on stdout) a directory holding a working `pulumi` CLI and the helpers a
# Python program with a Python dynamic provider needs beside it: pulumi-language-python,
# pulumi-language-python-exec and pulumi-resource-pulumi-python.
#
# A `pulumi` on PATH is used when it runs and those helpers are beside it or on PATH. Otherwise the
# CLI pinned in tools/pulumi-cli/go.mod is built once (needs Go and the Go module proxy, ~5-10 min
# cold) into ${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/pulumi-<version>/bin,
# with the test language host of tools/pulumi-langhost/ (see its README), and reused afterwards.
#
# Usage: bin=$(tools/pulumi-cli.sh) && PATH=$bin:$PATH pulumi ...
#        (Automation API: PulumiCommand(root=os.path.dirname(bin)).)
set -euo pipefail

log() { echo "pulumi-cli.sh: $*" >&2; }
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# 1. A pulumi already installed.
if pulumi=$(command -v pulumi) && pulumi version >/dev/null 2>&1; then
  dir=$(dirname "$pulumi")
  ok=1
  for helper in pulumi-language-python pulumi-resource-pulumi-python; do
    [ -x "$dir/$helper" ] || command -v "$helper" >/dev/null || ok=
  done
  if [ -n "$ok" ]; then echo "$dir"; exit 0; fi
  log "ignoring $pulumi: pulumi-language-python or pulumi-resource-pulumi-python is missing"
fi

# 2. The pinned build, in the cache.
version=$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 \(v[^ ]*\).*#\1#p' "$tools/pulumi-cli/go.mod")
[ -n "$version" ] || { log "no github.com/pulumi/pulumi/pkg/v3 version in tools/pulumi-cli/go.mod"; exit 1; }
bin=${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/pulumi-$version/bin
stamp="$bin/.complete"
flags=(-trimpath -tags osusergo,grpcnotrace
  -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version")
inputs=$(cat "$tools/pulumi-cli/go.mod" "$tools/pulumi-cli/go.sum" <(echo "${flags[*]}") |
  sha256sum | cut -d' ' -f1)
mkdir -p "$bin"
exec 9>"$bin/.lock"
flock 9 # one build at a time; the others wait for it and reuse it

if [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
  rm -f "$stamp"
  log "building pulumi $version into $bin (once; several minutes)"
  start=$SECONDS
  (
    cd "$tools/pulumi-cli"
    CGO_ENABLED=0 go build "${flags[@]}" -o "$bin/pulumi.tmp" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    # The SDK's helper scripts ship in its source tree without their exec bit.
    sdk=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
    install -m 755 "$sdk/python/dist/pulumi-resource-pulumi-python" \
      "$sdk/python/cmd/pulumi-language-python-exec" "$bin/"
  ) >&2
  mv "$bin/pulumi.tmp" "$bin/pulumi"
  echo "$inputs" >"$stamp"
  log "built in $((SECONDS - start))s"
fi

# The test language host is the repo's own: refresh it when it changed (install replaces the
# file rather than rewriting one that may be running).
for f in pulumi-language-python:755 pulumi_langhost.py:644; do
  cmp -s "$tools/pulumi-langhost/${f%:*}" "$bin/${f%:*}" ||
    install -m "${f#*:}" "$tools/pulumi-langhost/${f%:*}" "$bin/${f%:*}"
done
echo "$bin"
