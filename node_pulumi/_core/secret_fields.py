"""The fields of a snapshot record that are secret, for every door that returns records.

``snapshot_url`` is a download link to the server's whole disk image: anyone at the client IP
address can fetch the disk with it until it expires. `get_snapshots` (both doors, every SDK)
returns it as a secret, each door in its own terms (a secret ``Output`` per record in Python, a
secret value on the plugin's wire); the ``node-pulumi`` command leaves it out.
"""

from __future__ import annotations

SECRET_RECORD_FIELDS = ("snapshot_url",)
"""Snake_case names of the record fields every door marks secret."""
