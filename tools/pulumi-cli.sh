#!/usr/bin/env bash
# Prints (the only line on stdout) a directory holding a working `pulumi` CLI with Pulumi's own
# language hosts beside it, where the engine looks for them first: pulumi-language-python (with
# pulumi-language-python-exec and pulumi-resource-pulumi-python, which run Python programs and
# dynamic providers), pulumi-language-nodejs, pulumi-language-go and Pulumi YAML's
# pulumi-language-yaml.
#
# 1. A `pulumi` on PATH is used as it is when it runs and those hosts are beside it or on PATH
#    (Pulumi's installers put them beside it).
# 2. Otherwise the CLI pinned in tools/pulumi-cli/go.mod is built once (needs Go and the Go module
#    proxy, ~5-10 min cold) into
#    ${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}/pulumi-<version>-hosts/bin,
#    and the hosts are copied beside it: the ones on PATH, else the ones that
#    ../shared/pulumi-hosts/build.sh (beside this checkout) builds from Pulumi's source (~3 min
#    cold, then cached).
# With neither, it says what to install and exits 1, before building anything.
#
# Usage: bin=$(tools/pulumi-cli.sh) && PATH=$bin:$PATH pulumi ...
#        (Automation API: PulumiCommand(root=os.path.dirname(bin)).)
set -euo pipefail

log() { echo "pulumi-cli.sh: $*" >&2; }
tools=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$tools")
# shellcheck source=lib.sh
source "$tools/lib.sh"

# What the engine needs beside `pulumi` (or on PATH) to run Python, TypeScript, Go and YAML
# programs.
hosts=(pulumi-language-python pulumi-language-python-exec pulumi-resource-pulumi-python
  pulumi-language-nodejs pulumi-language-go pulumi-language-yaml)
cache=${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd -P)

# Prints the path of command $1 on PATH, skipping our own cache (checked against the pins below).
on_path() {
  local dir
  local -a dirs
  IFS=: read -ra dirs <<<"$PATH"
  for dir in "${dirs[@]}"; do
    if [ -z "$dir" ] || [ ! -x "$dir/$1" ] || [ -d "$dir/$1" ]; then continue; fi
    case "$(cd "$dir" 2>/dev/null && pwd -P)/" in
      "$cache"/*) continue ;;
    esac
    echo "$dir/$1"
    return 0
  done
  return 1
}

# 1. A pulumi already installed, with its hosts.
if pulumi=$(on_path pulumi) && "$pulumi" version >/dev/null 2>&1; then
  dir=$(dirname "$pulumi")
  missing=()
  for host in "${hosts[@]}"; do
    [ -x "$dir/$host" ] || on_path "$host" >/dev/null || missing+=("$host")
  done
  if [ ${#missing[@]} -eq 0 ]; then echo "$dir"; exit 0; fi
  log "not using $pulumi: ${missing[*]} neither beside it nor on PATH"
fi

# 2. The pinned CLI in the cache, with Pulumi's hosts beside it: first find the hosts.
found=()
for host in "${hosts[@]}"; do
  if path=$(on_path "$host"); then found+=("$path"); else found=(); break; fi
done
shared=$(cd "$root/.." && pwd)/shared/pulumi-hosts
version=$(sed -n 's#^[[:space:]]*github.com/pulumi/pulumi/pkg/v3 \(v[^ ]*\).*#\1#p' "$tools/pulumi-cli/go.mod")
[ -n "$version" ] || { log "no github.com/pulumi/pulumi/pkg/v3 version in tools/pulumi-cli/go.mod"; exit 1; }
# Not pulumi-<version>/bin: that is where earlier versions of this script put a home-made host.
bin=$cache/pulumi-$version-hosts/bin
# A checkout elsewhere (a CI clone in a scratch folder) has no ../shared: the hosts an earlier
# run installed beside the cached CLI are reused.
if [ ${#found[@]} -eq 0 ] && [ ! -f "$shared/build.sh" ]; then
  for host in "${hosts[@]}"; do
    if [ -x "$bin/$host" ]; then found+=("$bin/$host"); else found=(); break; fi
  done
  if [ ${#found[@]} -gt 0 ]; then log "using the language hosts cached beside the CLI in $bin"; fi
fi
if [ ${#found[@]} -eq 0 ] && [ ! -f "$shared/build.sh" ]; then
  cat >&2 <<EOF
pulumi-cli.sh: no Pulumi CLI with its language hosts here. Install one of:
  - the Pulumi CLI, which ships its language hosts beside \`pulumi\`:
      curl -fsSL https://get.pulumi.com | sh    (then put ~/.pulumi/bin on PATH)
    see https://www.pulumi.com/docs/iac/download-install/;
  - or Pulumi's language hosts (${hosts[*]})
    on PATH, and Go (https://go.dev/dl/) to build the pinned CLI;
  - or their source as $shared
    (the shared folder beside this checkout), and Go to build them and the CLI.
EOF
  exit 1
fi
if ! command -v go >/dev/null; then
  log "Go is needed to build the pinned Pulumi CLI (https://go.dev/dl/), or install Pulumi" \
    "(curl -fsSL https://get.pulumi.com | sh) with its language hosts"
  exit 1
fi
if [ ${#found[@]} -eq 0 ]; then
  hosts_dir=$(bash "$shared/build.sh")
  for host in "${hosts[@]}"; do
    [ -x "$hosts_dir/$host" ] || { log "$shared/build.sh made no $hosts_dir/$host"; exit 1; }
    found+=("$hosts_dir/$host")
  done
fi

flags=(-trimpath -tags "osusergo,grpcnotrace"
  -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version")
inputs=$(cat "$tools/pulumi-cli/go.mod" "$tools/pulumi-cli/go.sum" <(echo "${flags[*]}") |
  sha256sum | cut -d' ' -f1)
cached_go_build "$tools/pulumi-cli" "$bin" pulumi "$inputs" \
  "${flags[@]}" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
install_beside "$bin" hosts "${found[@]}"
echo "$bin"
