"""The time zone of the API's times, which carry none (``YYYY-MM-DD HH:MM:SS``).

No published page says which zone the API writes: UTC and Indonesia's WIB (UTC+7) are both
likely. Ages computed from these times assume **UTC** unless told otherwise: if the API in fact
writes WIB, a snapshot then looks up to 7 hours younger than it is (an alarm comes late), never
older (a fresh backup never looks missing); and its time lies in the future, which
`node-pulumi check` reports as a sign that the zone is wrong. The setting: ``--api-timezone``,
``NODE_API_TIMEZONE``, or the stack config ``node:apiTimezone``: ``UTC``, an offset such as
``+07:00``, or a zone name such as ``Asia/Jakarta``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._api.errors import NodeConfigError

CONFIG_KEY = "node:apiTimezone"
ENV_VAR = "NODE_API_TIMEZONE"
DEFAULT = "UTC"
API_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

_OFFSET = re.compile(r"(?:UTC)?([+-])(\d{1,2})(?::?(\d{2}))?")


def resolve_api_timezone(
    flag: str | None,
    config: Callable[[str], Any] | Mapping[str, Any] | None,
    environ: Mapping[str, str],
) -> tzinfo:
    """The zone from the flag, else the stack config, else the environment, else UTC."""
    lookup = config.get if isinstance(config, Mapping) else config
    for value, where in (
        (flag, "--api-timezone"),
        (None if lookup is None else lookup(CONFIG_KEY), f"stack config '{CONFIG_KEY}'"),
        (environ.get(ENV_VAR), f"environment variable {ENV_VAR}"),
    ):
        if value:
            return parse_zone(str(value), where)
    return timezone.utc


def parse_zone(text: str, where: str = "the API time zone") -> tzinfo:
    """``UTC``, ``+07:00`` / ``+0700`` / ``UTC+7``, or an IANA name (``Asia/Jakarta``)."""
    value = text.strip()
    if value.upper() in ("UTC", "Z", "GMT"):
        return timezone.utc
    match = _OFFSET.fullmatch(value)
    if match:
        sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
        if offset >= timedelta(hours=24):
            raise NodeConfigError(f"{where}: {text!r} is not a UTC offset")
        return timezone(-offset if sign == "-" else offset)
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise NodeConfigError(
            f"{where}: {text!r} is no time zone: give UTC, an offset such as +07:00, or a zone "
            "name such as Asia/Jakarta"
        ) from None


def parse_api_time(text: str, zone: tzinfo) -> datetime | None:
    """An API time read in ``zone`` (an aware datetime); None when empty or not in the API's
    format."""
    try:
        return datetime.strptime(text.strip(), API_TIME_FORMAT).replace(tzinfo=zone)
    except ValueError:
        return None


def zone_name(zone: tzinfo) -> str:
    """How a zone is shown: ``UTC``, ``+07:00``, ``Asia/Jakarta``."""
    if zone is timezone.utc:
        return "UTC"
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = zone.utcoffset(None) or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
