"""The dynamic door: `pulumi.dynamic` resources and providers (run in the ``pulumi-python``
provider process), the ``get_snapshots`` look-up and the ``before_update`` hook (run in the
program). Each is a thin translation to `node_pulumi._core`."""
