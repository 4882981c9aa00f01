"""A plugin tarball as the engine gets it: served over HTTP on loopback, installed by the real
CLI into an empty PULUMI_HOME (`pulumi plugin install resource node <version> --server URL`, the
engine building the plugin's virtualenv), then asked for its schema through the CLI."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .common import fail, log, pulumi_env, run
from .plugin import NAME


class _Handler(SimpleHTTPRequestHandler):
    requested: list[str]

    def log_message(self, format: str, *args: Any) -> None:
        self.requested.append(self.path)


@contextmanager
def serve(directory: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``directory`` on a free loopback port; yield its URL and the paths asked for."""
    requested: list[str] = []
    handler = type("Handler", (_Handler,), {"requested": requested})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def check_cli_install(out: Path, work: Path, version: str, tarballs: list[Path]) -> None:
    """Install the plugin from ``out`` over HTTP with the real CLI; the plugin answers."""
    work.mkdir()
    env = pulumi_env(work)
    with serve(out) as (url, requested):
        run(["pulumi", "plugin", "install", "resource", NAME, version, "--server", url], env=env)
    names = {t.name for t in tarballs}
    fetched = [p.lstrip("/") for p in requested]
    if not fetched or not set(fetched) <= names:
        raise fail(f"the CLI asked the server for {fetched}, not one of {sorted(names)}")
    installed = Path(env["PULUMI_HOME"]) / "plugins" / f"resource-{NAME}-v{version}"
    for needed in ("PulumiPlugin.yaml", "__main__.py", "venv"):
        if not (installed / needed).exists():
            raise fail(f"the installed plugin lacks {needed}: {sorted(installed.iterdir())}")
    size = sum(p.stat().st_size for p in installed.rglob("*") if p.is_file())
    log(f"installed {fetched[0]}: {size / 1e6:.0f} MB on disk, virtualenv included")
    schema = json.loads(
        run(["pulumi", "package", "get-schema", f"{NAME}@{version}"], env=env, stdout_only=True)
    )
    if schema.get("version") != version or not schema.get("pluginDownloadURL"):
        raise fail(
            f"the installed plugin's schema: version {schema.get('version')}, "
            f"pluginDownloadURL {schema.get('pluginDownloadURL')}"
        )
