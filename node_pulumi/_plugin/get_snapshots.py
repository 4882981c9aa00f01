"""``node:index:getSnapshots``: the snapshot look-up as a provider function, through the core.

**In a preview without credentials** (pull-request CI) it fails, with an error naming
``node:userId`` / ``NODE_USER_ID`` and ``node:apiKey`` / ``NODE_API_KEY`` and saying why; the
Python doors' ``get_snapshots`` instead gives an unknown result and a warning. The difference is
the engine's, and this is as close as it lets a provider function come:

* A Python program decides before it calls anything: `node_pulumi.native.get_snapshots` sees that
  it runs in a preview with no credentials and returns an unknown ``Output`` itself, never
  invoking the plugin. YAML, TypeScript and Go programs call the function through the engine,
  so the answer must come from here.
* The engine tells the provider that it is a preview (``InvokeRequest.preview``, set from the
  update's dry-run flag in ``resmon.Invoke``, pkg/resource/deploy/source_eval.go, v3.274.1), but
  it does not let the answer be unknown: the provider client reads an Invoke's result with
  ``RejectUnknowns: true`` (sdk/go/common/resource/plugin/provider_plugin.go, ``Invoke``). Tried
  with the CLI v3.274.1 and Pulumi YAML v1.25.0: an answer ``{"snapshots": <unknown>}`` fails
  the preview with "invocation of node:index:getSnapshots returned an error: unexpected unknown
  value at snapshots". That check is in the engine, before any language SDK sees the answer,
  so YAML, TypeScript and Go all get the same error.
* An empty list with a warning would be a known, wrong value: a program acting on "no
  snapshots" would preview a plan that ``up`` does not carry out. When in doubt, fail.
* Only the engine can make a look-up's result unknown: it answers "unknown" without calling
  the provider when the look-up's arguments depend on a resource not created yet (``resmon.
  Invoke``, "has pending dependencies, returning unknown"), e.g. ``serverId: ${snap.serverId}``
  in a preview that creates ``snap``.

The arguments are checked first, with or without credentials (`check_lookup`), as in Python.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime.rpc import wrap_rpc_secret

from .._api.errors import NodeConfigError
from .._core.inputs import check_lookup
from .._core.listing import list_snapshots
from .._core.secret_fields import SECRET_RECORD_FIELDS
from .._core.settings import API_KEY, USER_ID
from .call import Call
from .values import to_camel

PREVIEW_WITHOUT_CREDENTIALS = (
    "getSnapshots needs node.co.id credentials in a preview too: set "
    f"{USER_ID.describe()} and {API_KEY.describe()} for the preview. Pulumi does not let a "
    "provider function's result be unknown (it refuses unknown values in an Invoke's answer), so "
    "it cannot wait until `pulumi up` as get_snapshots does in a Python program"
)

GET_SNAPSHOTS_ARGUMENTS = ("server_id", "status", "cycle")
"""The function's arguments (snake_case), for check messages in the schema's names."""


async def get_snapshots(
    call: Call, args: dict[str, Any], *, preview: bool = False
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The matching snapshots (records with camelCase keys), or the arguments' check failures
    (the core's `check_lookup`, as the Python doors check them). ``preview`` is the engine's
    flag: a preview without credentials fails with `NodeConfigError` (see the module)."""
    args = dict(args)
    failures = check_lookup(args)
    if failures:
        return {}, [(f.property, f.reason) for f in failures]
    settings = call.settings()
    if preview and not (settings.user_id and settings.api_key):
        raise NodeConfigError(PREVIEW_WITHOUT_CREDENTIALS)
    with settings.client() as client:
        records = await call.run(
            list_snapshots,
            client,
            client_ip_address=settings.client_ip_address,
            server_id=args.get("server_id"),
            status=args["status"],
            cycle=args["cycle"],
        )
    return {"snapshots": [_wire_record(r) for r in records]}, []


def _wire_record(record: dict[str, Any]) -> dict[str, Any]:
    """A record in the schema's names, its secret fields (the download URL) marked secret on the
    wire, as the engine keeps them: each SDK then treats the result as it treats secrets."""
    return {
        to_camel(k): wrap_rpc_secret(v) if k in SECRET_RECORD_FIELDS else v
        for k, v in record.items()
    }
