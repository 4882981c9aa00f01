"""When an API error means "the object is gone": the one rule, for every operation of both doors.

Why a rule of its own: an answer taken as "gone" is the only one that makes Pulumi *forget* a
resource. A refresh that reads "gone" drops the snapshot from state (it still exists and still
costs money, and nothing names it any more); a destroy that reads "gone" counts the snapshot as
deleted and removes it from state without deleting anything. So the rule errs on one side only:
an answer that might mean something else is an error, the operation fails, and state is kept.
Failing wrongly costs a rerun; forgetting wrongly loses a snapshot.

The rule, per API function (`is_gone`):

* Only functions that address one object can say it is gone: ``get_snapshot_detail`` and
  ``delete_snapshot`` (a snapshot), ``set_server_snapshot_schedule`` and ``get_server_detail``
  (a server). Any other function's error (``create_snapshot``, ``get_snapshot_list``: the
  uncertain-create look-up) is never "gone".
* An answer about the caller is never "gone", whatever its wording: a credentials error, one
  whose user, account, key or checksum is what failed (`NodeApiError.is_credentials_error`:
  "User not found.", ``USER_NOT_FOUND``, "API key does not exist.", HTTP 401/403). A mistyped
  ``node:userId`` or a removed sub-account must fail refresh and destroy, not empty the stack.
  A caller word that only scopes the object's failure does not make it one: "Snapshot not
  found for this user." names the snapshot as missing, so it is "gone" like "Snapshot not
  found.".
* Otherwise the answer is "gone" only when its code or message *names that object* with
  not-found wording: "Snapshot not found.", "Snapshot 5099abc does not exist",
  ``SNAPSHOT_NOT_FOUND``, "No such snapshot", "Unknown snapshot" for a snapshot function;
  "Server 12345 not found.", ``SERVER_NOT_FOUND`` for a server function. The real API's codes
  are undocumented, so its message is what can name the object.
* The sandbox's answers fit this rule as they are: ``NOT_FOUND`` / "Snapshot not found." from
  the snapshot functions, ``SERVER_NOT_FOUND`` / "Server <id> not found." from the server ones.
  A bare ``NOT_FOUND`` with a message that names nothing ("Not found.", "Data not found.") is
  *not* gone: from the real API it could be about anything (the user, a parameter, a page), so
  the operation fails instead.
* A message naming the *other* object ("Server 12 not found." from ``delete_snapshot``) is not
  gone either: the snapshot may well exist.

"Snapshot has been deleted." as an *error* is not "gone" either: the published pages show that
very message on an OK answer by mistake, so it says nothing reliable; should the real API answer
a repeated delete that way, ``destroy`` fails and says so, and ``pulumi state delete`` is the
way out, rather than every such answer counting as done.

A snapshot the API reports with status ``deleted`` (an OK answer) is gone too; that rule is the
callers' (`snapshots.require_snapshot`), since it is about data, not an error.
"""

from __future__ import annotations

import re

from .._api.errors import MISSING, NodeApiError, NodeError, answer_words

SNAPSHOT = "snapshot"
SERVER = "server"

ADDRESSED: dict[str, str] = {
    "get_snapshot_detail": SNAPSHOT,
    "delete_snapshot": SNAPSHOT,
    "set_server_snapshot_schedule": SERVER,
    "get_server_detail": SERVER,
}
"""The API functions that address one object, and which: only their errors can mean "gone"."""

_NOUNS = (SNAPSHOT, SERVER, "user", "account", "key", "file", "page", "record", "function")


def _pattern(noun: str) -> re.Pattern[str]:
    """``noun``, up to three words that name no other object (an id, "you requested"), then
    not-found wording; or "no such" / "unknown" / "nonexistent" before ``noun``."""
    others = "|".join(n for n in _NOUNS if n != noun)
    between = rf"(?:\s+(?!(?:{others})s?\b)[^\s]+){{0,3}}?"
    return re.compile(
        rf"\b{noun}s?\b{between}\s+{MISSING}\b"
        rf"|\b(?:no\s+such|unknown|nonexistent|non\s+existent)\s+{noun}s?\b"
    )


_PATTERNS = {noun: _pattern(noun) for noun in (SNAPSHOT, SERVER)}


def names_missing(noun: str, code: str, message: str) -> bool:
    """Whether the code or message says that a ``noun`` (snapshot, server) does not exist."""
    return _PATTERNS[noun].search(answer_words(code, message)) is not None


def is_gone(error: NodeError) -> bool:
    """Whether ``error`` says the object its function addresses no longer exists (the rule
    above). Any other error, including every transport and decode error, means "not known"."""
    if not isinstance(error, NodeApiError) or error.is_credentials_error:
        return False
    noun = ADDRESSED.get(error.function)
    return noun is not None and names_missing(noun, error.code, error.message)
