#!/usr/bin/env bash
# Regenerates the SDKs under sdk/ (nodejs: TypeScript, go, dotnet: C#) from the schema the
# plugin pulumi-resource-node serves (node_pulumi/_plugin/schema.py, at node_pulumi.__version__),
# with Pulumi's own code generators, and node_pulumi/pulumi-plugin.json (the plugin the wheel
# declares to Pulumi's Python host) from the same version:
#   tools/gen-sdk/         TypeScript and Go, github.com/pulumi/pulumi/pkg/v3 at the CLI's version
#   tools/gen-sdk/dotnet/  C#, pkg v3.225.1: the last release on the Go module proxy that carries
#                          Pulumi's C# generator (see its main.go)
# Each is built once (needs Go and the Go module proxy; ~1 min cold when the CLI's build cache is
# warm, ~5 min otherwise) into ${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/
# gen-sdk/ and gen-sdk-dotnet/, and reused while its sources are unchanged.
#
# Usage: bash tools/gen-sdk.sh     (with node_pulumi importable by $PYTHON, default .venv/bin/python)
set -euo pipefail

log() { echo "gen-sdk.sh: $*" >&2; }
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$tools")
python=${PYTHON:-$root/.venv/bin/python}
cache=${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}
flags=(-trimpath -tags "osusergo,grpcnotrace")

# shellcheck source=lib.sh
source "$tools/lib.sh"

# Prints the path of generator $1, built from the Go module in tools/gen-sdk/$2 when needed.
build() {
  local name=$1 module=$2 inputs bin
  # Everything the build reads from the repo: the module and the shared sdkfiles module.
  inputs=$(cd "$tools/gen-sdk" &&
    { find "$module" -maxdepth 1 -type f \( -name '*.go' -o -name 'go.*' -o -name '*.png' \) -print0 |
      sort -z | xargs -0 cat; cat sdkfiles/*.go sdkfiles/go.mod; echo "${flags[*]}"; } |
    sha256sum | cut -d' ' -f1)
  bin=$cache/$name
  cached_go_build "$tools/gen-sdk/$module" "$bin" gen "$inputs" "${flags[@]}" . || return 1
  echo "$bin/gen"
}

gen=$(build gen-sdk .)
gen_dotnet=$(build gen-sdk-dotnet dotnet)

schema=$(mktemp)
trap 'rm -f "$schema"' EXIT
# The schema exactly as the plugin's GetSchema returns it (same function, same version).
"$python" -c '
from node_pulumi import __version__
from node_pulumi._plugin.schema import schema_json
print(schema_json(__version__))' >"$schema"
"$python" -c '
import sys
from node_pulumi import __version__
from node_pulumi._plugin.schema import plugin_json
sys.stdout.write(plugin_json(__version__))' >"$root/node_pulumi/pulumi-plugin.json"

"$gen" "$schema" "$root/sdk"
"$gen_dotnet" "$schema" "$root/sdk"
log "generated sdk/nodejs, sdk/go, sdk/dotnet and node_pulumi/pulumi-plugin.json"
