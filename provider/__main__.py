"""The plugin's entry point in a Pulumi package folder: the ``pulumi-resource-node`` command."""

from node_pulumi._plugin import main

main()
