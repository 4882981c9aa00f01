#!/usr/bin/env bash
# What installing the plugin costs a user (docs/performance.md): a release tarball installed with
# a cold and then a warm pip cache, its size on disk, and a YAML program's first `pulumi preview`
# with an empty PULUMI_HOME (the engine downloads the plugin) against the next one. The release is
# built from this checkout and served on loopback; pip reaches the package index.
#
# Usage (after `source scripts/setup.sh`): bash bench/plugin_install.sh [PORT]
# Prints wall-clock seconds (and exit statuses) and `uptime` before and after: say the load.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${1:-18799}
work=$(mktemp -d)
release=$work/release
python -m pip wheel --quiet --no-deps -w "$release" .
python - "$release" <<'EOF'
import sys
from pathlib import Path

from scripts.releasing.plugin import build_plugin_tarballs

out = Path(sys.argv[1])
(wheel,) = out.glob("node_pulumi-*.whl")
build_plugin_tarballs(wheel, out)
EOF
python -m http.server "$port" --bind 127.0.0.1 --directory "$release" >/dev/null 2>&1 &
server=$!
trap 'kill "$server"; rm -rf "$work"' EXIT
# Off PATH: the virtualenv's pulumi-resource-node, which the engine would take first.
PATH=$(dirname "$(command -v pulumi)"):/usr/local/bin:/usr/bin:/bin
export PATH PULUMI_SKIP_UPDATE_CHECK=true PIP_CACHE_DIR=$work/pip-cache
version=$(python3 -c 'import json; print(json.load(open("node_pulumi/pulumi-plugin.json"))["version"])')
timed() {
  local start status=0
  start=$(date +%s.%N)
  "$@" >>"$work/output.log" 2>&1 || status=$?
  echo "$(echo "$(date +%s.%N) - $start" | bc) s (exit $status)"
}
uptime
until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do sleep 0.1; done # the server listens
install() { PULUMI_HOME=$work/$1 pulumi plugin install resource node "$version" --server "http://127.0.0.1:$port/"; }
echo "tarball install, empty pip cache: $(timed install home-cold)"
echo "tarball install, warm pip cache:  $(timed install home-warm)"
du -sh "$work/home-warm/plugins/resource-node-v$version"
cp -r examples/yaml "$work/program"
rm -f "$work"/program/Pulumi.*.yaml
cd "$work/program"
export PULUMI_HOME=$work/home-preview PULUMI_BACKEND_URL=file://$work/program \
  PULUMI_CONFIG_PASSPHRASE=bench PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES=".*=http://127.0.0.1:$port/"
pulumi stack init dev --non-interactive >/dev/null 2>&1
echo "first preview, empty PULUMI_HOME: $(timed pulumi preview --non-interactive)"
echo "next preview, same PULUMI_HOME:   $(timed pulumi preview --non-interactive)"
uptime
