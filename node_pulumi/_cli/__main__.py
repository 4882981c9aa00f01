"""``python -m node_pulumi._cli``: the ``node-pulumi`` command without its console script."""

from . import run

run()
