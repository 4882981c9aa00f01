"""``python -m node_pulumi._plugin ENGINE``: the same as the ``pulumi-resource-node`` command."""

from . import main

main()
