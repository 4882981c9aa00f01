"""The GitHub Actions recipes in examples/ci/: what each promises a user who copies it.

Every recipe there is checked, read from its YAML: a preview on pull requests that no node.co.id
credential can reach, an `up` only on pushes to main with both credentials, a restore only when
started by hand on main, never two jobs changing the stack at once, and every command
non-interactive and after what it needs (the CLI, the program's dependencies or the plugin),
with no workflow input spliced into a script. The jobs' `if:` conditions are evaluated for the
events that matter rather than compared with a text. What actionlint checks (`.ci/run`: syntax,
expressions, action inputs, shellcheck on `run:` scripts) is not repeated here;
tests/lifecycle/test_examples.py runs the preview step's own command through the real CLI.
The release workflow is checked in tests/test_release_workflow.py.

A recipe on a ``schedule`` is a monitoring one (`node-pulumi check`): the rules above are for
the deploy recipes (started by pull requests and pushes); tests/test_monitoring_recipes.py
checks the monitoring ones, and every recipe is one or the other.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

CI = Path(__file__).parents[1] / "examples" / "ci"
ALL = sorted(p.name for p in CI.glob("*.yml"))
CREDENTIALS = {"NODE_USER_ID", "NODE_API_KEY"}
PULL_REQUEST = {"github.event_name": "pull_request", "github.ref": "refs/pull/7/merge"}
PUSH_MAIN = {"github.event_name": "push", "github.ref": "refs/heads/main"}
DISPATCH_MAIN = {"github.event_name": "workflow_dispatch", "github.ref": "refs/heads/main"}


def load(name: str) -> dict[Any, Any]:
    workflow = yaml.safe_load((CI / name).read_text())
    assert isinstance(workflow, dict)
    return workflow


RECIPES = [n for n in ALL if "pull_request" in load(n)[True]]
MONITORING = [n for n in ALL if "schedule" in load(n)[True]]


def test_every_recipe_is_a_deploy_or_a_monitoring_one() -> None:
    assert RECIPES and MONITORING
    assert sorted(RECIPES + MONITORING) == ALL


def runs_for(condition: str | None, event: dict[str, str]) -> bool:
    """Evaluate a job's ``if:`` for ``event``: comparisons of `github.*` with quoted strings,
    joined by ``&&`` and ``||`` (what the recipes use; anything else fails the test)."""
    if condition is None:
        return True

    def comparison(text: str) -> bool:
        found = re.fullmatch(r"\s*(github\.\w+)\s*(==|!=)\s*'([^']*)'\s*", text)
        assert found, f"unsupported condition: {text!r}"
        name, operator, value = found.groups()
        return (event[name] == value) == (operator == "==")

    return any(
        all(comparison(part) for part in alternative.split("&&"))
        for alternative in condition.split("||")
    )


def triggered_by(workflow: dict[Any, Any], event: dict[str, str]) -> bool:
    """Whether the workflow's ``on:`` starts it for ``event`` (PyYAML reads `on` as True)."""
    triggers = workflow[True]
    kind = event["github.event_name"]
    if kind not in triggers:
        return False
    branches = (triggers[kind] or {}).get("branches")
    return branches is None or event["github.ref"].removeprefix("refs/heads/") in branches


def jobs_run(workflow: dict[Any, Any], event: dict[str, str]) -> set[str]:
    """The jobs that run for ``event``."""
    if not triggered_by(workflow, event):
        return set()
    return {name for name, job in workflow["jobs"].items() if runs_for(job.get("if"), event)}


def pulumi_commands(step: dict[str, Any], tool: str = "pulumi") -> list[list[str]]:
    """The ``tool`` command lines of a step's script (`pulumi`, `node-pulumi`), split as the
    shell would."""
    script = step.get("run", "")
    lines = [shlex.split(line) for line in script.splitlines() if line.strip()]
    return [line for line in lines if line[0] == tool]


def changes_the_stack(step: dict[str, Any]) -> bool:
    """Whether the step runs `pulumi up` or `node-pulumi restore`."""
    return any(c[1] == "up" for c in pulumi_commands(step)) or any(
        c[1] == "restore" for c in pulumi_commands(step, "node-pulumi")
    )


def env_of(workflow: dict[Any, Any], job: dict[str, Any], step: dict[str, Any]) -> dict[str, str]:
    """The environment a step runs with: the workflow's, then the job's, then its own."""
    return {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}


@pytest.mark.parametrize("name", RECIPES)
def test_preview_on_pull_requests_up_only_on_pushes_to_main_one_at_a_time(name: str) -> None:
    workflow = load(name)
    jobs = workflow["jobs"]
    previews = {
        n
        for n, job in jobs.items()
        if any(c[1] == "preview" for s in job["steps"] for c in pulumi_commands(s))
    }
    ups = {
        n
        for n, job in jobs.items()
        if any(c[1] == "up" for s in job["steps"] for c in pulumi_commands(s))
    }
    assert previews and ups and not previews & ups
    assert jobs_run(workflow, PULL_REQUEST) == previews
    assert jobs_run(workflow, PUSH_MAIN) == ups
    pushed = (workflow[True].get("push") or {}).get("branches") or []
    for branch in {"feature", *pushed} - {"main"}:
        event = {**PUSH_MAIN, "github.ref": f"refs/heads/{branch}"}
        assert jobs_run(workflow, event) == set(), f"a push to {branch} runs jobs"
    if True in workflow and "workflow_dispatch" in workflow[True]:  # a restore, by hand
        restores = {
            n
            for n, job in jobs.items()
            if any(
                c[1] == "restore" for s in job["steps"] for c in pulumi_commands(s, "node-pulumi")
            )
        }
        assert restores and jobs_run(workflow, DISPATCH_MAIN) == restores
        elsewhere = {**DISPATCH_MAIN, "github.ref": "refs/heads/feature"}
        assert jobs_run(workflow, elsewhere) == set()
    # Jobs that change the stack never run at once: one concurrency group for all of them.
    changing = [j for j in jobs.values() if any(changes_the_stack(s) for s in j["steps"])]
    groups = {job.get("concurrency") for job in changing}
    assert len(groups) == 1 and None not in groups, groups


@pytest.mark.parametrize("name", RECIPES)
def test_credentials_reach_the_up_and_never_a_pull_request(name: str) -> None:
    workflow = load(name)
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            env = env_of(workflow, job, step)
            if changes_the_stack(step):
                assert {k: env.get(k) for k in CREDENTIALS} == {
                    k: f"${{{{ secrets.{k} }}}}" for k in CREDENTIALS
                }
            elif runs_for(job.get("if"), PULL_REQUEST):
                # Not in its environment, and no step of it reads the secrets any other way.
                assert not CREDENTIALS & env.keys(), step
                assert not re.search(r"secrets\.NODE_", yaml.safe_dump(step)), step


@pytest.mark.parametrize("name", RECIPES)
def test_every_pulumi_command_is_non_interactive_and_follows_its_setup(name: str) -> None:
    """Without a terminal, a command that would prompt fails: `--non-interactive`, and `--yes`
    for `up`. Each job installs the CLI (pulumi/actions) and what the program or the engine
    needs (requirements.txt, or the plugin) before its first `pulumi` command; both jobs work on
    the same stack."""
    workflow = load(name)
    stacks = set()
    for job in workflow["jobs"].values():
        steps = job["steps"]
        first = min(
            i
            for i, s in enumerate(steps)
            if pulumi_commands(s) or pulumi_commands(s, "node-pulumi")
        )
        setup = steps[:first]
        assert any(s.get("uses", "").startswith("pulumi/actions@") for s in setup)
        assert any(
            s.get("uses", "").startswith("actions/setup-python@")  # the plugin's Python
            if "yaml" in name
            else "pip install -r requirements.txt" in s.get("run", "")
            for s in setup
        )
        for step in steps[first:]:
            assert "${{" not in step.get("run", ""), "inputs reach a script through env only"
            for command in pulumi_commands(step):
                assert "--non-interactive" in command, command
                if command[1] == "up":
                    assert "--yes" in command, command
                stacks.add(command[command.index("--stack") + 1])
            for command in pulumi_commands(step, "node-pulumi"):
                assert "--yes" in command, command  # no terminal to confirm on
                stacks.add(command[command.index("--stack") + 1])
                if "--timeout" in command:  # the job outlives the command's own timeout
                    minutes = job.get("timeout-minutes", 360)
                    assert minutes * 60 > float(command[command.index("--timeout") + 1])
    assert len(stacks) == 1, stacks


@pytest.mark.parametrize(
    "name", [n for n in RECIPES if "workflow_dispatch" in (load(n).get(True) or {})]
)
def test_a_restore_names_its_server_and_takes_its_inputs_from_the_environment(name: str) -> None:
    """A restore overwrites a server: its server id has no default; each input reaches the
    `node-pulumi restore` command through an environment variable the command reads."""
    workflow = load(name)
    inputs = workflow[True]["workflow_dispatch"]["inputs"]
    assert inputs["server_id"]["required"] is True and "default" not in inputs["server_id"]
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for command in pulumi_commands(step, "node-pulumi"):
                passed = {
                    k: v for k, v in env_of(workflow, job, step).items() if "inputs." in str(v)
                }
                assert {v.split("inputs.")[1].rstrip(" }") for v in passed.values()} == set(inputs)
                assert all(f"${k}" in command for k in passed), (passed, command)


@pytest.mark.parametrize("name", [n for n in RECIPES if "yaml" in n])
def test_the_plugin_is_downloaded_by_the_engine_with_python_on_the_runner(name: str) -> None:
    """A YAML project gets the plugin as Pulumi users get any provider: the engine downloads it
    (the project's package declaration names its URL) and builds its virtualenv with the runner's
    Python, which each job sets up (>= 3.10) before its first `pulumi` command; nothing installs
    the plugin by hand or puts it on PATH."""
    workflow = load(name)
    for job in workflow["jobs"].values():
        steps = job["steps"]
        first = min(i for i, s in enumerate(steps) if pulumi_commands(s))
        (python,) = [
            s for s in steps[:first] if s.get("uses", "").startswith("actions/setup-python@")
        ]
        major, minor = (int(n) for n in str(python["with"]["python-version"]).split(".")[:2])
        assert (major, minor) >= (3, 10)
        for step in steps:
            assert "plugin install" not in step.get("run", "")
            assert "GITHUB_PATH" not in step.get("run", "")
