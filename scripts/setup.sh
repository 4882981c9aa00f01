#!/usr/bin/env bash
# Sourced by scripts/demo.sh and .ci/run: makes .venv with the package and its dev tools, finds or
# builds the Pulumi CLI with Pulumi's language hosts beside it (tools/pulumi-cli.sh), and puts
# both first on PATH. Without an installed Pulumi or ../shared/pulumi-hosts it says what to
# install and fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ ! -x "$root/.venv/bin/python" ]; then
    echo "setup: creating .venv" >&2
    python3 -m venv "$root/.venv"
fi
if ! "$root/.venv/bin/python" -c "import node_pulumi, prometheus_client, pytest, hypothesis, trustme, ruff, mypy, build, twine, nox, uv, mkdocs" 2>/dev/null ||
    [ ! -x "$root/.venv/bin/shellcheck" ]; then
    echo "setup: installing node-pulumi and its dev tools into .venv" >&2
    "$root/.venv/bin/python" -m pip install --quiet --upgrade pip >&2
    "$root/.venv/bin/python" -m pip install --quiet -e "${root}[dev]" >&2
fi
if ! NODE_PULUMI_CLI_DIR=$(bash "$root/tools/pulumi-cli.sh"); then
    echo "setup: tools/pulumi-cli.sh found or built no Pulumi CLI with its language hosts (above: why)" >&2
    return 1
fi
export NODE_PULUMI_CLI_DIR
export PATH="$root/.venv/bin:$NODE_PULUMI_CLI_DIR:$PATH"
