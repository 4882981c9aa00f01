#!/usr/bin/env bash
# The demo: `pulumi up` of examples/basic (stack dev) against a local sandbox of the API, with a
# local file backend in .pulumi-state/. Prints the snapshot's id and status. Safe to rerun.
# The program runs through Pulumi's own Python host (beside the CLI that scripts/setup.sh finds or
# builds). When Pulumi YAML's language host is there (on PATH, or built by tools/pulumi-yaml.sh,
# which CI does), it then does the same for examples/yaml through the provider plugin, installed
# into the demo's plugin cache as the README says (no "from $PATH" warning); it never builds it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

state="$PWD/.pulumi-state"
mkdir -p "$state/backend"
export PULUMI_BACKEND_URL="file://$state/backend"
export PULUMI_HOME="$state/home"
export PULUMI_CONFIG_PASSPHRASE=node-pulumi-demo  # the demo stack's passphrase: not a secret
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
unset NODE_USER_ID NODE_API_KEY NODE_ENDPOINT NODE_SANDBOX NODE_FORMAT  # Pulumi.dev.yaml decides

# The sandbox accepts the demo credentials that Pulumi.dev.yaml holds (the key encrypted).
mkfifo "$state/sandbox.out" 2>/dev/null || true
python -m node_pulumi.sandbox --port 8765 --user-id 10001 --api-key demo-api-key \
    --db "$state/sandbox.db" >"$state/sandbox.out" 2>"$state/sandbox.log" &
sandbox=$!
trap 'kill "$sandbox" 2>/dev/null; wait "$sandbox" 2>/dev/null || true' EXIT
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

# Pulumi YAML, when its host is already there: building it would add minutes to the demo.
if yaml_dir=$(bash tools/pulumi-yaml.sh --if-built); then
    export PATH="$PATH:$yaml_dir"
    echo
    echo "demo: examples/yaml (Pulumi YAML, the provider plugin pulumi-resource-node)" >&2
    # The documented install: the command into Pulumi's plugin cache, at the package's version;
    # .venv/bin is on PATH here, so the engine is told to skip PATH for plugins (it then finds
    # language hosts only beside `pulumi`, where tools/pulumi-yaml.sh puts the YAML one).
    version=$(python -c 'from importlib.metadata import version; print(version("node-pulumi"))')
    pulumi plugin install resource node "$version" --file "$(command -v pulumi-resource-node)"
    if [ -x "$(dirname "$(command -v pulumi)")/pulumi-language-yaml" ]; then
        export PULUMI_IGNORE_AMBIENT_PLUGINS=true
    fi
    pulumi -C examples/yaml stack select dev --create --non-interactive
    pulumi -C examples/yaml up --yes --non-interactive
    echo
    echo "yaml snapshotId:     $(pulumi -C examples/yaml stack output snapshotId)"
    echo "yaml snapshotStatus: $(pulumi -C examples/yaml stack output snapshotStatus)"
else
    echo "demo: examples/yaml skipped: no Pulumi YAML language host" \
        "(\`bash tools/pulumi-yaml.sh\` builds it once, a few minutes)" >&2
fi
