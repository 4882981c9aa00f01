#!/usr/bin/env bash
# The demo: `pulumi up` of examples/basic (stack dev) against a local sandbox of the API, with a
# local file backend in .pulumi-state/. Prints the snapshot's id and status. Safe to rerun.
# The program runs through Pulumi's own Python host (beside the CLI that scripts/setup.sh finds or
# builds). Then the same for examples/yaml through the provider plugin, got as a user gets it: the
# first `pulumi up` downloads pulumi-resource-node into the demo's empty plugin cache and makes its
# virtualenv (pip reaches the package index for its dependencies). The release tarballs are built
# from this checkout and served on loopback, standing in for the GitHub release
# (PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES); nothing is installed by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

state="$PWD/.pulumi-state"
mkdir -p "$state/backend"
export PULUMI_BACKEND_URL="file://$state/backend"
export PULUMI_HOME="$state/home"
export PULUMI_CONFIG_PASSPHRASE=node-pulumi-demo  # the demo stack's passphrase: not a secret
export PULUMI_SKIP_UPDATE_CHECK=true
# .venv/bin (first on PATH) holds pulumi-resource-node, which the engine would take before the
# plugin it installs, warning "using pulumi-resource-node from $PATH" (even for examples/basic,
# whose package names the plugin): plugins are not looked for on PATH. The language hosts are
# beside `pulumi`, where the engine then still finds them.
export PULUMI_IGNORE_AMBIENT_PLUGINS=true
unset NODE_USER_ID NODE_API_KEY NODE_ENDPOINT NODE_SANDBOX NODE_FORMAT  # Pulumi.dev.yaml decides

# The sandbox accepts the demo credentials that Pulumi.dev.yaml holds (the key encrypted).
mkfifo "$state/sandbox.out" 2>/dev/null || true
python -m node_pulumi.sandbox --port 8765 --user-id 10001 --api-key demo-api-key \
    --db "$state/sandbox.db" >"$state/sandbox.out" 2>"$state/sandbox.log" &
sandbox=$!
release=
# shellcheck disable=SC2086 # $release: empty until the release server starts
trap 'kill "$sandbox" $release 2>/dev/null; wait "$sandbox" $release 2>/dev/null || true' EXIT
if ! read -r -t 30 listening <"$state/sandbox.out"; then
    echo "demo: the sandbox did not start (is port 8765 taken?):" >&2
    cat "$state/sandbox.log" >&2
    exit 1
fi
echo "demo: $listening" >&2

pulumi stack select dev --create --non-interactive
pulumi up --yes --non-interactive
echo
echo "snapshot_id:     $(pulumi stack output snapshot_id)"
echo "snapshot_status: $(pulumi stack output snapshot_status)"

# Pulumi YAML through the plugin. The wheel and the plugin's release tarballs, from this checkout.
echo
echo "demo: examples/yaml (Pulumi YAML, the provider plugin pulumi-resource-node)" >&2
rm -rf "$state/release"
python -m pip wheel --quiet --no-deps -w "$state/release" . >&2
python - "$state/release" <<'EOF'
import sys
from pathlib import Path

from scripts.releasing.plugin import build_plugin_tarballs

out = Path(sys.argv[1])
(wheel,) = out.glob("node_pulumi-*.whl")
build_plugin_tarballs(wheel, out)
EOF
mkfifo "$state/release.out" 2>/dev/null || true
python -u -m http.server 8766 --bind 127.0.0.1 --directory "$state/release" \
    >"$state/release.out" 2>"$state/release.log" &
release=$!
if ! read -r -t 30 serving <"$state/release.out"; then
    echo "demo: the release server did not start (is port 8766 taken?):" >&2
    cat "$state/release.log" >&2
    exit 1
fi
echo "demo: $serving" >&2
# The engine downloads from the URL in examples/yaml/sdks/node (the GitHub release), sent here.
export PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES=".*=http://127.0.0.1:8766/"
pulumi -C examples/yaml stack select dev --create --non-interactive
pulumi -C examples/yaml up --yes --non-interactive
echo
echo "yaml snapshotId:     $(pulumi -C examples/yaml stack output snapshotId)"
echo "yaml snapshotStatus: $(pulumi -C examples/yaml stack output snapshotStatus)"
