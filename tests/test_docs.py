"""Every code block of README.md and docs/: run, or checked against what it shows.

How each block is checked is said by a mark before it (tests/docblocks.py) or by its language;
docs/development/docs.md has the table. Shell blocks marked `run` need the Pulumi CLI: like the
lifecycle tests, they skip without one, except under NODE_PULUMI_REQUIRE_CLI=1 (CI). Links are
checked here for the README, and by `mkdocs build --strict` for docs/.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import node_pulumi
from node_pulumi._plugin.schema import schema

from .docblocks import PAGES, ROOT, Block, all_blocks
from .lifecycle.stack import new_stack

BLOCKS = all_blocks()
LANGUAGES = {"python", "sh", "yaml", "json", "typescript", "go", "csharp", "text"}
MARK_REQUIRED = {"typescript", "go", "csharp"}  # nothing here compiles them on their own
SCHEMA = schema(node_pulumi.__version__)


def _ids(blocks: list[Block]) -> list[str]:
    return [f"{b.where}-{b.mark or 'default'}" for b in blocks]


def _of(kind: str | None, *langs: str) -> list[Block]:
    return [b for b in BLOCKS if b.mark == kind and (not langs or b.lang in langs)]


def test_the_docs_have_blocks_of_each_kind() -> None:
    assert len(PAGES) > 20
    assert {b.mark for b in BLOCKS} == {None, "run", "excerpt", "lifecycle", "signature", "skip"}


@pytest.mark.parametrize("block", BLOCKS, ids=_ids(BLOCKS))
def test_block_language_is_known_and_marked_where_required(block: Block) -> None:
    assert block.lang in LANGUAGES, f"{block.where}: fence language {block.lang!r}"
    if block.lang in MARK_REQUIRED:
        assert block.mark in ("excerpt", "skip"), f"{block.where}: say how it is checked"
    if block.mark == "skip":
        assert block.arg, f"{block.where}: a skip says why"


# Default checks, by language (every block gets them, whatever its mark).


@pytest.mark.parametrize("block", _of(None, "python") + _of("skip", "python"))
def test_python_compiles_and_its_imports_resolve(block: Block) -> None:
    tree = ast.parse(block.code, block.where)
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name) or importlib.util.find_spec(
                    f"{node.module}.{alias.name}"
                ), f"{block.where}: {node.module}.{alias.name}"


SH_BLOCKS = [b for b in BLOCKS if b.lang == "sh"]


@pytest.mark.parametrize("block", SH_BLOCKS, ids=_ids(SH_BLOCKS))
def test_shell_parses_and_names_files_that_exist(block: Block) -> None:
    result = subprocess.run(["bash", "-n"], input=block.code, capture_output=True, text=True)
    assert result.returncode == 0, f"{block.where}: {result.stderr}"
    for words in _commands(block.code):
        for runner, target in itertools.pairwise(words):
            if Path(runner).name not in ("bash", "sh", "source", "python", "python3", "."):
                continue
            if target == "-m":
                module = words[words.index("-m") + 1]
                assert importlib.util.find_spec(module), f"{block.where}: no module {module}"
            elif not target.startswith(("-", "/", "$", "~")) and block.mark != "lifecycle":
                assert (ROOT / target).exists(), f"{block.where}: {target} does not exist"
            break


def _commands(code: str) -> list[list[str]]:
    commands = []
    for line in code.replace("\\\n", " ").splitlines():
        for part in re.split(r"&&|\|\||;|\||\(|\)", line.split(" #")[0]):
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            if words:
                commands.append(words)
    return commands


YAML_BLOCKS = [b for b in BLOCKS if b.lang in ("yaml", "json")]


@pytest.mark.parametrize("block", YAML_BLOCKS, ids=_ids(YAML_BLOCKS))
def test_yaml_parses_and_uses_the_schemas_names(block: Block) -> None:
    """YAML (and JSON, which is YAML) parses; a Pulumi YAML program's node types and properties
    are the schema's."""
    document = yaml.safe_load(block.code)
    if not isinstance(document, dict):
        return
    for name, resource in (document.get("resources") or {}).items():
        token = resource["type"]
        if not token.startswith("node:"):
            continue
        assert token in SCHEMA["resources"], f"{block.where}: {name}: no type {token}"
        inputs = SCHEMA["resources"][token]["inputProperties"]
        unknown = set(resource.get("properties") or {}) - set(inputs)
        assert not unknown, f"{block.where}: {name}: {token} has no {sorted(unknown)}"


# Marked blocks.


@pytest.mark.parametrize("block", _of("excerpt"), ids=_ids(_of("excerpt")))
def test_excerpt_lines_begin_lines_of_their_file_in_order(block: Block) -> None:
    source = ROOT / block.arg
    assert source.is_file(), f"{block.where}: {block.arg} does not exist"
    lines = [_squeeze(line) for line in source.read_text().splitlines()]
    at = 0
    for wanted in filter(None, map(_squeeze, block.code.splitlines())):
        while at < len(lines) and not lines[at].startswith(wanted):
            at += 1
        assert at < len(lines), f"{block.where}: {wanted!r} is not in {block.arg} (in order)"
        at += 1


def _squeeze(line: str) -> str:
    return " ".join(line.split())


@pytest.mark.parametrize("block", _of("lifecycle"), ids=_ids(_of("lifecycle")))
def test_lifecycle_blocks_name_a_lifecycle_test(block: Block) -> None:
    tests = [p.read_text() for p in (ROOT / "tests" / "lifecycle").glob("test_*.py")]
    named = (ROOT / "tests" / "lifecycle" / f"{block.arg}.py").exists()
    assert named or any(block.arg in text for text in tests), f"{block.where}: {block.arg}"


@pytest.mark.parametrize("block", _of("signature"), ids=_ids(_of("signature")))
def test_signatures_are_the_codes(block: Block) -> None:
    call = block.code.strip()
    shown = ast.parse(f"def f{call[call.index('(') :]}: pass").body[0]
    assert isinstance(shown, ast.FunctionDef)
    args = shown.args
    wanted = [
        *[(a.arg, "POSITIONAL_OR_KEYWORD", None) for a in args.args],
        *[
            (a.arg, "KEYWORD_ONLY", None if d is None else ast.literal_eval(d))
            for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        ],
    ]
    for name in block.arg.split():
        module, _, attr = name.rpartition(".")
        target = getattr(importlib.import_module(module), attr)
        parameters = inspect.signature(target).parameters.values()
        actual = [
            (p.name, p.kind.name, None if p.default is p.empty else p.default)
            for p in parameters
            if p.name != "self"
        ]
        assert actual == wanted, f"{block.where}: {name}"


RUN_PYTHON = _of("run", "python")


@pytest.mark.parametrize("block", RUN_PYTHON, ids=_ids(RUN_PYTHON))
def test_python_program_runs_under_mocks(block: Block) -> None:
    result = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "doc_program.py")],
        input=block.code,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, f"{block.where}:\n{result.stderr}"


RUN_SH = _of("run", "sh")


@pytest.fixture(scope="module")
def cli_dir() -> Path:
    configured = os.environ.get("NODE_PULUMI_CLI_DIR")
    found = configured if configured else shutil.which("pulumi")
    if not found:
        message = "no Pulumi CLI: `source scripts/setup.sh` first"
        if os.environ.get("NODE_PULUMI_REQUIRE_CLI") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return Path(found) if configured else Path(found).parent


@pytest.mark.parametrize("block", RUN_SH, ids=_ids(RUN_SH))
def test_shell_runs_in_a_scratch_stack(block: Block, cli_dir: Path, tmp_path: Path) -> None:
    """In a project of examples/basic with a stack `dev`, its own backend and plugin cache."""
    stack = new_stack(cli_dir, tmp_path / "docs", ROOT / "examples" / "basic", "docs")
    bin_dir = Path(sys.executable).parent  # `python` and `pulumi-resource-node`
    env: dict[str, Any] = {**stack.env, "PATH": f"{bin_dir}{os.pathsep}{stack.env['PATH']}"}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.code],
        cwd=stack.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{block.where}:\n{result.stdout}{result.stderr}"


# What the blocks cannot show on their own.


def test_the_plugin_version_shown_is_the_packages() -> None:
    shown = {
        m.group(1)
        for page in PAGES
        for m in re.finditer(r"plugin install resource node (\S+)", page.read_text())
    }
    assert shown == {node_pulumi.__version__}


def test_the_readme_stays_a_front_page() -> None:
    # 300 lines, and room for the sections of issue 20 (monitoring, "is my setup right?").
    assert len((ROOT / "README.md").read_text().splitlines()) <= 320


def test_the_readmes_links_resolve() -> None:
    readme = ROOT / "README.md"
    for target in re.findall(r"\]\(([^)\s]+)\)", readme.read_text()):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        path, _, anchor = target.partition("#")
        page = (readme.parent / path).resolve() if path else readme
        assert page.exists(), f"README.md links to {target}: no such file"
        if anchor:
            assert anchor in _anchors(page), f"README.md links to {target}: no such heading"


def _anchors(page: Path) -> set[str]:
    """The heading ids of a Markdown page, as GitHub and MkDocs make them (plain headings)."""
    headings = re.findall(r"^#+ (.+)$", page.read_text(), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}
