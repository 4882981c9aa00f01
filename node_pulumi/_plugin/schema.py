"""The package schema `GetSchema` returns: what IDEs, generated SDKs and Pulumi YAML read.

Every resource, function, property and configuration key carries a description.
"""

from __future__ import annotations

import json
from typing import Any

from .._core.inputs import DEFAULT_WAIT_TIMEOUT

PACKAGE = "node"
SNAPSHOT = "node:index:Snapshot"
SCHEDULE = "node:index:SnapshotSchedule"
ROTATING = "node:index:RotatingSnapshot"
GET_SNAPSHOTS = "node:index:getSnapshots"
SNAPSHOT_INFO = "node:index:SnapshotInfo"

GO_IMPORT_BASE_PATH = "github.com/node-pulumi/node-pulumi/sdk/go/node"

# Where the engine downloads the plugin when a program needs it and it is not installed: the
# repository's GitHub releases, each carrying pulumi-resource-node-v<version>-<os>-<arch>.tar.gz
# (scripts/release.py builds them). Every generated SDK, and the wheel's pulumi-plugin.json,
# carry it.
PLUGIN_DOWNLOAD_URL = "github://api.github.com/node-pulumi/node-pulumi"

# What Pulumi's SDK generators read (tools/gen-sdk.sh): package names and import paths of the
# generated TypeScript, Go and C# SDKs under sdk/, whose versions follow the schema's version.
LANGUAGE: dict[str, dict[str, Any]] = {
    "nodejs": {"packageName": "@node-pulumi/node", "respectSchemaVersion": True},
    "go": {"importBasePath": GO_IMPORT_BASE_PATH, "respectSchemaVersion": True},
    "csharp": {"rootNamespace": "NodePulumi", "respectSchemaVersion": True},
}

# Python's classes are hand-written (node_pulumi.native, in the wheel), never generated. The code
# `pulumi import` and `pulumi convert` write for a Python program imports `packageName` as
# `import node_pulumi.native as node`, so it runs as written with the wheel installed. The SDK
# `pulumi package add` generates in a Python program is named the same (an empty distribution:
# the name is no Python identifier) and requires node-pulumi at the schema's version: what
# it installs is the wheel, whose node_pulumi.native the program then imports.
PYTHON_PACKAGE = "node_pulumi.native"


def _language(version: str) -> dict[str, dict[str, Any]]:
    python = {
        "packageName": PYTHON_PACKAGE,
        "requires": {"node-pulumi": f"=={version}"},
        "respectSchemaVersion": True,
    }
    return {**LANGUAGE, "python": python}


def _string(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


CONFIG: dict[str, dict[str, Any]] = {
    "userId": _string(
        "The node.co.id user id. Falls back to the environment variable NODE_USER_ID; required "
        "for any API call (not for a preview)."
    ),
    "apiKey": _string(
        "The node.co.id API key. Falls back to NODE_API_KEY. Only the checksum made from it is "
        "sent to the API; it is kept encrypted in state even when set without --secret.",
        secret=True,
    ),
    "endpoint": _string(
        "The API's base URL. Falls back to NODE_ENDPOINT; defaults to "
        "https://node.co.id/api/v1/ (or the published sandbox when `sandbox` is true). A plain "
        "http:// endpoint is accepted only on a loopback host."
    ),
    "sandbox": {
        "type": "boolean",
        "description": "Use the published API sandbox (NODE_SANDBOX). An explicit `endpoint` "
        "wins over it.",
    },
    "format": _string(
        "The response format asked of the API: `json` (default) or `xml` (NODE_FORMAT)."
    ),
    "timeout": {
        "type": "number",
        "description": "Seconds to wait for each API request (NODE_TIMEOUT); default 20.",
    },
    "clientIpAddress": _string(
        "The client IP address sent to the API functions that take one (NODE_CLIENT_IP_ADDRESS); "
        "getSnapshots needs it, and so does naming a snapshot whose create lost its answer."
    ),
}

_SERVER_ID = _string(
    "The server's id (at most 50 characters; a whole number is accepted and turned into a string)."
)

_SNAPSHOT_INPUTS: dict[str, dict[str, Any]] = {
    "serverId": {
        **_SERVER_ID,
        "description": "The server to snapshot. " + _SERVER_ID["description"],
    },
    "triggers": {
        "type": "array",
        "items": {"$ref": "pulumi.json#/Any"},
        "description": "Any values; when they change, a new snapshot is taken (the new one "
        "before the old one is deleted).",
    },
    "waitUntilActive": {
        "type": "boolean",
        "default": True,
        "description": "Wait, during create, until the snapshot is `active`. A wait that fails "
        "leaves the snapshot in state with an error, and the next update resumes it.",
    },
    "waitTimeout": {
        "type": "number",
        "default": DEFAULT_WAIT_TIMEOUT,
        "description": "Seconds to wait for `active` at most (customTimeouts.create, when set "
        "and shorter, wins).",
    },
}

_SNAPSHOT_OUTPUTS: dict[str, dict[str, Any]] = {
    **_SNAPSHOT_INPUTS,
    "snapshotId": _string("The snapshot's id; also the resource's id."),
    "snapshotStatus": _string(
        "What the API said of the snapshot when Pulumi last looked: `processing`, `active`, ..."
    ),
    "snapshotName": _string("The snapshot's name, as the API reported it."),
    "snapshotSize": {"type": "number", "description": "The snapshot's size in GB, when reported."},
    "createdAt": _string("When the snapshot was taken (the API's `snapshot_add_time`)."),
}

_ROTATING_INPUTS: dict[str, dict[str, Any]] = {
    **_SNAPSHOT_INPUTS,
    "triggers": {
        **_SNAPSHOT_INPUTS["triggers"],
        "description": "Any values; when they change, a new snapshot is taken (an update, not a "
        "replacement), then the oldest beyond `keep` are deleted.",
    },
    "keep": {
        "type": "integer",
        "description": "How many snapshots to keep (at least 1): the newest `keep` of those this "
        "resource took. Lowering it deletes the extras at the next update.",
    },
}

_ROTATING_OUTPUTS: dict[str, dict[str, Any]] = {
    **_ROTATING_INPUTS,
    "snapshotId": _string("The newest snapshot's id."),
    "snapshotIds": {
        "type": "array",
        "items": {"type": "string"},
        "description": "The ids of the snapshots held, newest first: only snapshots this "
        "resource took, at most `keep` once an update has succeeded.",
    },
    "snapshotStatus": _string(
        "What the API said of the newest snapshot when Pulumi last looked: `processing`, "
        "`active`, ..."
    ),
}

_AGE = "Keep {cycle} snapshots for this many {unit} (1 to 99); absent turns {cycle} snapshots off."

_SCHEDULE_PROPERTIES: dict[str, dict[str, Any]] = {
    "serverId": {
        **_SERVER_ID,
        "description": "The server whose schedule this is; also the resource's id. "
        + _SERVER_ID["description"],
    },
    "dailyMaxAge": {"type": "integer", "description": _AGE.format(cycle="daily", unit="days")},
    "weeklyMaxAge": {"type": "integer", "description": _AGE.format(cycle="weekly", unit="weeks")},
    "monthlyMaxAge": {
        "type": "integer",
        "description": _AGE.format(cycle="monthly", unit="months"),
    },
}

_SNAPSHOT_INFO: dict[str, dict[str, Any]] = {
    "snapshotId": _string("The snapshot's id."),
    "serverId": _string("The server it is a snapshot of."),
    "serverLabel": _string("The server's label."),
    "snapshotName": _string("The snapshot's name."),
    "snapshotAddTime": _string("When the snapshot was started."),
    "snapshotEndTime": _string("When it finished (empty while processing)."),
    "snapshotCycle": _string("`manual`, `daily`, `weekly` or `monthly`."),
    "snapshotStatus": _string("`processing`, `active` or `deleted`."),
    "snapshotSize": {"type": "number", "description": "Its size in GB."},
    "snapshotUrl": _string("A download URL, while one is offered."),
    "snapshotUrlExpires": {
        "type": "integer",
        "description": "When the download URL expires (Unix time; 0 when there is none).",
    },
}


def schema(version: str) -> dict[str, Any]:
    """The package schema as a dict."""
    return {
        "name": PACKAGE,
        "displayName": "node.co.id",
        "version": version,
        "description": "Snapshots of node.co.id servers: manual and rotating snapshots, "
        "snapshot schedules and snapshot look-ups.",
        "keywords": ["node.co.id", "snapshots", "category/infrastructure"],
        "license": "Apache-2.0",
        "publisher": "The node-pulumi authors",
        "homepage": "https://github.com/node-pulumi/node-pulumi",
        "repository": "https://github.com/node-pulumi/node-pulumi",
        "pluginDownloadURL": PLUGIN_DOWNLOAD_URL,
        "language": _language(version),
        "config": {"variables": CONFIG},
        "provider": {
            "description": "The node provider: credentials and API settings. Each falls back to "
            "its NODE_* environment variable.",
            "inputProperties": CONFIG,
            "properties": {k: v for k, v in CONFIG.items() if k != "apiKey"},
        },
        "resources": {
            SNAPSHOT: {
                "description": "A manual snapshot of a node.co.id server, taken when the "
                "resource is created. A new `serverId` or changed `triggers` take a new one.",
                "inputProperties": _SNAPSHOT_INPUTS,
                "requiredInputs": ["serverId"],
                "properties": _SNAPSHOT_OUTPUTS,
                "required": ["serverId", "snapshotId", "snapshotStatus"],
            },
            ROTATING: {
                "description": "The last `keep` snapshots of a node.co.id server. A change of "
                "`triggers` takes a new one, then deletes the oldest beyond `keep` (only "
                "snapshots this resource took); a new `serverId` replaces the resource; deleting "
                "it deletes every snapshot it holds. Its id is the first snapshot's id.",
                "inputProperties": _ROTATING_INPUTS,
                "requiredInputs": ["serverId", "keep"],
                "properties": _ROTATING_OUTPUTS,
                "required": ["serverId", "keep", "snapshotId", "snapshotIds", "snapshotStatus"],
            },
            SCHEDULE: {
                "description": "A server's automatic daily / weekly / monthly snapshots, each "
                "kept for a maximum age. One schedule per server; its id is the server id. A "
                "refresh reads it back (get_server_detail), so a change made elsewhere shows and "
                "the next update puts it back; `pulumi import` records the schedule it finds. "
                "Deleting it turns every cycle off.",
                "inputProperties": _SCHEDULE_PROPERTIES,
                "requiredInputs": ["serverId"],
                "properties": _SCHEDULE_PROPERTIES,
                "required": ["serverId"],
            },
        },
        "types": {
            SNAPSHOT_INFO: {
                "type": "object",
                "description": "One snapshot as get_snapshot_list describes it.",
                "properties": _SNAPSHOT_INFO,
                "required": ["snapshotId", "serverId", "snapshotStatus"],
            }
        },
        "functions": {
            GET_SNAPSHOTS: {
                "description": "Every snapshot matching the filters (all pages of "
                "get_snapshot_list). Needs `clientIpAddress`.",
                "inputs": {
                    "properties": {
                        "serverId": _string("Only this server's snapshots."),
                        "status": _string(
                            "`all`, `processing`, `active` (default) or `deleted`.",
                            default="active",
                        ),
                        "cycle": _string(
                            "`all` (default), `manual`, `daily`, `weekly` or `monthly`.",
                            default="all",
                        ),
                    },
                },
                "outputs": {
                    "properties": {
                        "snapshots": {
                            "type": "array",
                            "items": {"$ref": f"#/types/{SNAPSHOT_INFO}"},
                            "description": "The matching snapshots.",
                        }
                    },
                    "required": ["snapshots"],
                },
            }
        },
    }


def schema_json(version: str) -> str:
    """The package schema as the JSON text `GetSchema` returns."""
    return json.dumps(schema(version), indent=2)


def plugin_json(version: str) -> str:
    """The wheel's ``node_pulumi/pulumi-plugin.json``: Pulumi's Python host reports the plugin it
    names (at this version, downloadable from `PLUGIN_DOWNLOAD_URL`) as needed by any program that
    has the package installed, so the engine installs it by itself. tools/gen-sdk.sh writes it."""
    plugin = {"resource": True, "name": PACKAGE, "version": version, "server": PLUGIN_DOWNLOAD_URL}
    return json.dumps(plugin, indent=2) + "\n"
