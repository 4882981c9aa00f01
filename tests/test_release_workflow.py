"""What .github/workflows/release.yml promises, read from its YAML (actionlint, from `.ci/run`,
checks its syntax, expressions, action inputs and shell): it runs on a version tag only; nothing
is published before the tests pass and the artifacts are built and checked; the GitHub release,
which the SDKs point the engine at, comes before every package; each job has only the
permissions it uses; PyPI, npm and NuGet trust the workflow (OIDC), never a stored secret; the
Go tag is the one Go needs for the module in sdk/go; the notes are the CHANGELOG's section.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).parents[1]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text())
JOBS: dict[str, dict[str, Any]] = WORKFLOW["jobs"]
PUBLISHERS = {"github-release", "pypi", "npm", "nuget", "go-module-tag"}


def needs(job: str) -> set[str]:
    """Every job ``job`` waits for, directly or not."""
    direct = JOBS[job].get("needs", [])
    direct = [direct] if isinstance(direct, str) else direct
    return set(direct).union(*(needs(d) for d in direct))


def scripts(job: str) -> str:
    return "\n".join(s.get("run", "") for s in JOBS[job]["steps"])


def uses(job: str, action: str) -> dict[str, Any]:
    (step,) = [s for s in JOBS[job]["steps"] if s.get("uses", "").startswith(action + "@")]
    return dict(step.get("with") or {})


def test_it_runs_on_a_version_tag_only() -> None:
    triggers = WORKFLOW[True]  # PyYAML reads `on` as True
    assert triggers == {"push": {"tags": ["v*"]}}


def test_nothing_is_published_before_the_tests_and_the_checked_build() -> None:
    assert ".ci/run" in scripts("test")
    build = scripts("build")
    assert re.search(r"scripts/release\.py --out dist --tag \"\$GITHUB_REF_NAME\"", build)
    assert set(JOBS) == PUBLISHERS | {"test", "build"}
    for job in PUBLISHERS:
        assert {"test", "build"} <= needs(job), job
    # The SDKs and the wheel send the engine to the GitHub release: it exists before them.
    for job in PUBLISHERS - {"github-release"}:
        assert "github-release" in needs(job), job


def test_each_job_has_only_the_permissions_it_uses() -> None:
    assert WORKFLOW["permissions"] == {}
    expected = {
        "test": {"contents": "read"},
        "build": {"contents": "read"},
        "github-release": {"contents": "write", "id-token": "write", "attestations": "write"},
        "pypi": {"id-token": "write"},
        "npm": {"id-token": "write"},
        "nuget": {"id-token": "write"},
        "go-module-tag": {"contents": "write"},
    }
    assert {job: spec["permissions"] for job, spec in JOBS.items()} == expected


def test_registries_trust_the_workflow_and_no_secret_is_used() -> None:
    assert "secrets." not in (ROOT / ".github" / "workflows" / "release.yml").read_text()
    pypi = uses("pypi", "pypa/gh-action-pypi-publish")
    assert pypi["attestations"] is True
    assert "password" not in pypi
    assert re.search(r"\bnpm publish --provenance\b", scripts("npm"))
    assert "NuGet/login" in {s.get("uses", "").split("@")[0] for s in JOBS["nuget"]["steps"]}
    for job in ("pypi", "npm", "nuget"):
        assert JOBS[job].get("environment"), f"{job}: a deployment environment guards it"


def test_the_go_tag_is_the_module_folder_then_the_version() -> None:
    module = re.search(r"^module (\S+)$", (ROOT / "sdk/go/go.mod").read_text(), re.MULTILINE)
    assert module is not None
    folder = module[1].removeprefix("github.com/node-pulumi/node-pulumi/")
    assert folder == "sdk/go"
    script = scripts("go-module-tag")
    assert f'git tag "{folder}/$GITHUB_REF_NAME" "$GITHUB_SHA"' in script
    assert f'git push origin "refs/tags/{folder}/$GITHUB_REF_NAME"' in script


def test_the_github_release_carries_the_artifacts_the_attestation_and_the_notes() -> None:
    assert uses("github-release", "actions/attest-build-provenance")["subject-path"] == "dist/*"
    script = scripts("github-release")
    assert 'scripts/releasing/changelog.py "$GITHUB_REF_NAME"' in script
    assert re.search(r"gh release create \"\$GITHUB_REF_NAME\" --verify-tag", script)
    assert "dist/*" in script and ".intoto.jsonl" in script
