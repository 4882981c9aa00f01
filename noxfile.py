"""nox sessions: the unit tests on every supported Python.

    nox -s unit              # 3.10, 3.11, 3.12 and 3.13, each in a virtualenv of its own (.nox/)
    nox -s unit-3.12 -- -k client   # one version; arguments after -- go to pytest

The unit tests are everything under tests/ but tests/lifecycle (which drive the real Pulumi CLI
and run once, on the .venv's Python: `.ci/run`), on two pytest-xdist workers. nox finds each
interpreter as `python3.N` on PATH (`.ci/run` adds pyenv's versions); a missing one fails the run
when `CI` is set, and is skipped otherwise.
"""

from __future__ import annotations

import nox

PYTHONS = ["3.10", "3.11", "3.12", "3.13"]  # as the classifiers in pyproject.toml say

nox.options.sessions = ["unit"]
nox.options.reuse_venv = "yes"
# uv (from the dev extra) makes and fills the virtualenvs several times faster than virtualenv.
nox.options.default_venv_backend = "uv|virtualenv"


@nox.session(python=PYTHONS)
def unit(session: nox.Session) -> None:
    session.install("--quiet", "-e", ".[test]")
    # Two xdist workers, one per core of the CI machine: each test has its own sandbox (port 0)
    # and tmp_path, so they share nothing.
    session.run("pytest", "--ignore=tests/lifecycle", "-q", "-n", "2", *session.posargs)
