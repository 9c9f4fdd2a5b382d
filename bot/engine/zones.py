"""Time zones by the names people type: "Europe/London", "london", "new york".

In the engine (and not only in the check_timezone action) so that a city typed at a
choice of time zones ("Lisbon" when the buttons offer London, Dublin, Paris) is read
there too. The zone database comes from zoneinfo (tzdata where the system has none).
"""

from __future__ import annotations

import zoneinfo
from functools import cache


@cache
def _zones() -> dict[str, str]:
    """Every IANA zone by its case-folded name, and by its city with spaces for '_'."""
    found: dict[str, str] = {}
    for zone in sorted(zoneinfo.available_timezones()):
        found.setdefault(zone.casefold(), zone)
    for zone in sorted(zoneinfo.available_timezones()):
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/")):
            city = zone.rsplit("/", 1)[1].replace("_", " ").casefold()
            found.setdefault(city, zone)
    return found


def find_zone(answer: str) -> str | None:
    """An IANA time zone name for what the person typed ("Europe/London", "london",
    "new york", "Europe/Berlin "), or None."""
    typed = " ".join(answer.strip().replace("_", " ").split()).casefold()
    if not typed:
        return None
    return _zones().get(typed) or _zones().get(typed.replace(" ", "_"))


def is_zone(value: str) -> bool:
    """Whether ``value`` is exactly an IANA zone name with a region ("Europe/Paris")."""
    return "/" in value and _zones().get(value.casefold()) == value
