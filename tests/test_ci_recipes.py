"""The GitHub Actions recipes in examples/ci/: the shape each promises, read from the YAML.

`.ci/run` also lints them with actionlint (and shellcheck on their `run:` scripts);
tests/lifecycle/test_examples.py runs what the Python recipe's preview job runs through the real
CLI; scripts/check_release.py runs the YAML recipe's install step with the built wheel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

CI = Path(__file__).parents[1] / "examples" / "ci"
RECIPES = sorted(p.name for p in CI.glob("*.yml"))
INSTALL_PLUGIN = "Install the node provider plugin"


def load(name: str) -> dict[Any, Any]:
    workflow = yaml.safe_load((CI / name).read_text())
    assert isinstance(workflow, dict)
    return workflow


def runs(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_every_recipe_is_checked() -> None:
    assert RECIPES == ["pulumi-yaml.yml", "pulumi.yml"]


@pytest.mark.parametrize("name", RECIPES)
def test_preview_on_pull_requests_without_credentials_and_up_on_main(name: str) -> None:
    workflow = load(name)
    manual = {"workflow_dispatch"} if name == "pulumi.yml" else set()
    # PyYAML reads the key `on` as the boolean True.
    assert set(workflow[True]) == {"pull_request", "push"} | manual
    assert workflow[True]["push"] == {"branches": ["main"]}
    assert not any("NODE_" in key for key in workflow["env"])
    jobs = workflow["jobs"]
    assert set(jobs) == {"preview", "up"} | ({"restore"} if manual else set())

    preview = jobs["preview"]
    assert preview["if"] == "github.event_name == 'pull_request'"
    assert "NODE_" not in yaml.safe_dump(preview)
    assert any(r.startswith("pulumi preview ") for r in runs(preview))
    assert not any("pulumi up" in r for r in runs(preview))

    up = jobs["up"]
    assert up["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert up["concurrency"] == "pulumi-${{ github.ref }}"
    (up_step,) = [s for s in up["steps"] if "pulumi up" in s.get("run", "")]
    assert up_step["env"] == {
        "NODE_USER_ID": "${{ secrets.NODE_USER_ID }}",
        "NODE_API_KEY": "${{ secrets.NODE_API_KEY }}",
    }
    for job in (preview, up):
        assert job["permissions"] == {"contents": "read"}


def test_the_python_recipe_restores_by_hand_from_a_stack_output() -> None:
    workflow = load("pulumi.yml")
    inputs = workflow[True]["workflow_dispatch"]["inputs"]
    assert inputs["server_id"]["required"] is True and "default" not in inputs["server_id"]
    assert inputs["snapshot_output"]["default"] == "snapshot_id"
    restore = workflow["jobs"]["restore"]
    assert restore["if"] == (
        "github.event_name == 'workflow_dispatch' && github.ref == 'refs/heads/main'"
    )
    assert restore["concurrency"] == workflow["jobs"]["up"]["concurrency"], "never during up"
    assert restore["environment"] == "production"
    assert restore["permissions"] == {"contents": "read"}
    (step,) = [s for s in restore["steps"] if "node-pulumi" in s.get("run", "")]
    assert step["run"].split() == [
        "node-pulumi", "restore", '"$SERVER_ID"', "--stack", '"$STACK"', "--from-output",
        '"$SNAPSHOT_OUTPUT"', "--yes", "--timeout", "1800",
    ]  # fmt: skip
    assert "${{" not in step["run"], "inputs through env, not spliced into the script"
    assert step["env"] == {
        "SERVER_ID": "${{ inputs.server_id }}",
        "SNAPSHOT_OUTPUT": "${{ inputs.snapshot_output }}",
        "NODE_USER_ID": "${{ secrets.NODE_USER_ID }}",
        "NODE_API_KEY": "${{ secrets.NODE_API_KEY }}",
    }
    assert restore["timeout-minutes"] * 60 > 1800


def test_the_yaml_recipe_puts_the_plugin_on_path_before_pulumi_runs() -> None:
    workflow = load("pulumi-yaml.yml")
    assert "PULUMI_IGNORE_AMBIENT_PLUGINS" not in (CI / "pulumi-yaml.yml").read_text().replace(
        "do not set PULUMI_IGNORE_AMBIENT_PLUGINS", ""
    )
    assert workflow["env"]["PLUGIN_PACKAGE"].startswith("node-pulumi")
    installs = []
    for job in workflow["jobs"].values():
        names = [step.get("name") or step.get("uses") or step["run"] for step in job["steps"]]
        # Installed after Python is set up, and before the CLI and every pulumi command.
        position = names.index(INSTALL_PLUGIN)
        assert names.index("actions/setup-python@v5") < position < names.index("pulumi/actions@v6")
        install = job["steps"][position]["run"]
        assert '"$PLUGIN_PACKAGE"' in install
        assert '>> "$GITHUB_PATH"' in install
        installs.append(install)
    assert installs[0] == installs[1]


def test_the_python_recipe_installs_the_projects_requirements() -> None:
    for job in load("pulumi.yml")["jobs"].values():
        assert "pip install -r requirements.txt" in runs(job)
