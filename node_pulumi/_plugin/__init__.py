"""The ``node`` provider plugin (``pulumi-resource-node``): the second front door to the core.

The engine runs the command, reads the port it prints and talks to it over gRPC; see server.py.
"""

from .server import main

__all__ = ["main"]
