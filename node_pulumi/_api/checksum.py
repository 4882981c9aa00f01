"""The API's request authentication: a fresh random token and the triple-SHA1 checksum."""

from __future__ import annotations

import hashlib
import secrets


def new_random() -> str:
    """Return a fresh, cryptographically random token for the ``random`` parameter."""
    return secrets.token_hex(16)


def checksum(user_id: str, api_key: str, random: str) -> str:
    """Return ``sha1(sha1(sha1(user_id + api_key + random)))``, each step as lowercase hex."""
    digest = user_id + api_key + random
    for _ in range(3):
        digest = hashlib.sha1(digest.encode("utf-8")).hexdigest()  # noqa: S324 - the API's scheme
    return digest
