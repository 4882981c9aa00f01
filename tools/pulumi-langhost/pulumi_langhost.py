"""A minimal Pulumi language host for Python programs -- a TEST TOOL of node-pulumi.

See README.md beside this file for why it exists and what it does not do. The engine (the real
`pulumi` CLI) starts it as `pulumi-language-python [-tracing URL] ENGINE_ADDRESS`, reads the port
it prints on stdout, and calls the LanguageRuntime gRPC service. `Run` launches the SDK's own
`pulumi-language-python-exec` (found beside this host) with the project's virtualenv, the
command line and environment that Pulumi's Go host builds.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent import futures
from typing import Any

try:
    import grpc
    from google.protobuf import empty_pb2, json_format
    from pulumi.runtime.proto import language_pb2, language_pb2_grpc, plugin_pb2
except ImportError as e:
    sys.exit(
        f"node-pulumi's test language host runs with {sys.executable}, which lacks {e.name!r}: "
        "name an existing virtualenv with pulumi installed in Pulumi.yaml (runtime.options."
        "virtualenv), or set PULUMI_LANGHOST_PYTHON to a python that has it."
    )

VERSION = "0.1.0+node-pulumi.testhost"  # reported by GetPluginInfo / `pulumi about`
EXEC_SCRIPT = "pulumi-language-python-exec"
USER_ACTIONABLE_EXIT = 32  # the exec script already showed the error: "bail" without another
SUPPORTED_OPTIONS = {"virtualenv", "toolchain"}
RUNNING: set[subprocess.Popen[bytes]] = set()  # programs being run: killed if we go away first


class HostError(Exception):
    pass


def _options(info: language_pb2.ProgramInfo) -> dict[str, Any]:
    return json_format.MessageToDict(info.options) if info.HasField("options") else {}


def _python(info: language_pb2.ProgramInfo, fallback_root: str) -> tuple[str, dict[str, str]]:
    """The interpreter and environment for the program, from Pulumi.yaml's runtime options."""
    opts = _options(info)
    unsupported = set(opts) - SUPPORTED_OPTIONS
    if unsupported or opts.get("toolchain", "pip") != "pip":
        raise HostError(
            f"node-pulumi's test language host supports only runtime options virtualenv and "
            f"toolchain: pip, got {opts}"
        )
    env = dict(os.environ)
    venv = opts.get("virtualenv")
    if not venv:
        return os.environ.get("PULUMI_PYTHON_CMD") or "python3", env
    root = info.root_directory or fallback_root
    venv = os.path.join(root, venv)  # no-op when venv is absolute
    python = os.path.join(venv, "bin", "python")
    if not os.path.isfile(python):
        raise HostError(
            f"The 'virtualenv' option in Pulumi.yaml is set to {opts['virtualenv']!r}, but "
            f"{venv!r} is not a virtual environment (this test host does not create one)."
        )
    # What the Go host's toolchain.ActivateVirtualEnv does.
    env.pop("PYTHONHOME", None)
    env["PATH"] = os.path.join(venv, "bin") + os.pathsep + env.get("PATH", "")
    env["VIRTUAL_ENV"] = venv
    return python, env


class LanguageHost(language_pb2_grpc.LanguageRuntimeServicer):
    def __init__(self, engine_address: str, tracing: str) -> None:
        self.engine_address = engine_address
        self.tracing = tracing
        self.exec_script = os.path.join(os.path.dirname(os.path.abspath(__file__)), EXEC_SCRIPT)

    def Handshake(
        self, request: Any, context: grpc.ServicerContext
    ) -> language_pb2.LanguageHandshakeResponse:
        return language_pb2.LanguageHandshakeResponse()

    def GetPluginInfo(self, request: Any, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=VERSION)

    # A dynamic provider needs no plugin besides pulumi-resource-pulumi-python, which the engine
    # finds itself. (The real host lists the installed pulumi-* packages' plugins.)
    def GetRequiredPlugins(
        self, request: Any, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPluginsResponse:
        return language_pb2.GetRequiredPluginsResponse()

    def GetRequiredPackages(
        self, request: Any, context: grpc.ServicerContext
    ) -> language_pb2.GetRequiredPackagesResponse:
        return language_pb2.GetRequiredPackagesResponse()

    def InstallDependencies(
        self, request: Any, context: grpc.ServicerContext
    ) -> Iterator[language_pb2.InstallDependenciesResponse]:
        return iter(())  # no-op: the virtualenv is prepared by the caller

    def About(self, request: Any, context: grpc.ServicerContext) -> language_pb2.AboutResponse:
        try:
            python, env = _python(request.info, os.getcwd())
            out = subprocess.run(  # noqa: S603 (the project's own interpreter)
                [python, "-c", "import sys; print(sys.executable); print(sys.version.split()[0])"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split("\n")
        except (HostError, OSError, subprocess.CalledProcessError) as e:
            context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(e))
        return language_pb2.AboutResponse(executable=out[0], version=out[1])

    def GetProgramDependencies(
        self, request: Any, context: grpc.ServicerContext
    ) -> language_pb2.GetProgramDependenciesResponse:
        return language_pb2.GetProgramDependenciesResponse()

    def Cancel(self, request: Any, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    def Run(self, req: Any, context: grpc.ServicerContext) -> language_pb2.RunResponse:
        args = []
        for key, value in (
            # The order and names of the Go host's constructArguments.
            ("monitor", req.monitor_address),
            ("engine", self.engine_address),
            ("project", req.project),
            ("stack", req.stack),
            ("pwd", req.pwd),
            ("dry_run", "true" if req.dryRun else "false"),
            ("parallel", str(req.parallel)),
            ("tracing", self.tracing),
            ("organization", req.organization),
            ("root_directory", req.info.root_directory),
        ):
            if value:
                args += ["--" + key, value]
        args.append(req.program or ".")
        args += list(req.args)
        try:
            python, env = _python(req.info, req.pwd)
        except HostError as e:
            return language_pb2.RunResponse(error=str(e))
        env["PULUMI_CONFIG"] = json.dumps(dict(req.config))
        env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(list(req.configSecretKeys))
        try:
            # stdout/stderr are inherited: the engine shows them as the stack's messages.
            proc = subprocess.Popen([python, self.exec_script, *args], env=env)  # noqa: S603
        except OSError as e:
            return language_pb2.RunResponse(
                error=f"problem executing program (could not run language executor): {e}"
            )
        RUNNING.add(proc)
        try:
            code = proc.wait()
        finally:
            RUNNING.discard(proc)
        if code == USER_ACTIONABLE_EXIT:
            return language_pb2.RunResponse(bail=True)
        if code != 0:
            return language_pb2.RunResponse(error=f"program exited with non-zero exit code: {code}")
        return language_pb2.RunResponse()


def _stop(code: int) -> None:
    for proc in list(RUNNING):  # a program whose engine is gone would wait for it forever
        proc.kill()
    os._exit(code)


def _exit_with_parent() -> None:
    """Exit when the engine that started us is gone (the Go host pings the engine instead)."""
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(1)
    _stop(1)


def main(argv: list[str]) -> None:
    tracing, positional, i = "", [], 0
    while i < len(argv):  # Go-flag style: -name=value or -name value, then ENGINE_ADDRESS
        arg = argv[i]
        if arg.startswith("-"):
            name, eq, value = arg.lstrip("-").partition("=")
            if not eq and name == "tracing":
                i, value = i + 1, argv[i + 1]
            if name == "tracing":
                tracing = value
        else:
            positional.append(arg)
        i += 1
    engine_address = positional[0] if positional else ""

    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8),
        options=[
            ("grpc.max_receive_message_length", 400 * 1024 * 1024),
            ("grpc.max_send_message_length", 400 * 1024 * 1024),
        ],
    )
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(
        LanguageHost(engine_address, tracing), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)  # the engine reads this one line from stdout
    threading.Thread(target=_exit_with_parent, daemon=True).start()
    # The engine closes plugins with SIGINT: stop quietly (a traceback would show in its output).
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: _stop(0))
    server.wait_for_termination()


if __name__ == "__main__":
    main(sys.argv[1:])
