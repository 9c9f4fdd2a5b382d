"""Time zones by the names people type: "Europe/London", "london", "new york", and by
country ("Pakistan", "UK") and a few Welsh and UK names ("Caerdydd", "Cymru", "Cardiff").

In the engine (and not only in the check_timezone action) so that a city typed at a
choice of time zones ("Lisbon" when the buttons offer London, Dublin, Paris) is read
there too. The zone database comes from zoneinfo (tzdata where the system has none).
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache
from importlib import resources

# Names the zone database does not hold: the UK's nations and cities, in English and
# Welsh, and the usual zone of a few countries that span several.
_UK = "Europe/London"
ALIASES = {name: _UK for name in (
    "uk", "u.k.", "united kingdom", "britain", "great britain", "gb", "england", "scotland",
    "wales", "northern ireland", "cardiff", "swansea", "newport", "wrexham", "bangor",
    "aberystwyth", "carmarthen", "bristol", "manchester", "birmingham", "liverpool",
    "leeds", "glasgow", "edinburgh", "belfast", "cymru", "lloegr", "yr alban", "prydain",
    "y deyrnas unedig", "llundain", "caerdydd", "abertawe", "casnewydd", "wrecsam",
    "caerfyrddin", "gogledd iwerddon", "caeredin")}
ALIASES.update({
    "iwerddon": "Europe/Dublin", "dulyn": "Europe/Dublin", "ireland": "Europe/Dublin",
    "spain": "Europe/Madrid", "portugal": "Europe/Lisbon", "usa": "America/New_York",
    "us": "America/New_York", "united states": "America/New_York", "america": "America/New_York",
    "canada": "America/Toronto", "australia": "Australia/Sydney", "brazil": "America/Sao_Paulo",
    "ffrainc": "Europe/Paris", "yr almaen": "Europe/Berlin", "gwlad pwyl": "Europe/Warsaw",
    "sbaen": "Europe/Madrid", "germany": "Europe/Berlin",
})


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
    found.update(_countries())
    found.update(ALIASES)
    return found


def _table(name: str) -> str:
    try:
        return (resources.files("tzdata.zoneinfo") / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return ""


@cache
def country_zones() -> dict[str, list[str]]:
    """Each country's time zones by its ISO code ("PK" -> ["Asia/Karachi"]), from the
    zone database's own zone.tab (tzdata ships it; nothing is downloaded)."""
    zones: dict[str, list[str]] = {}
    for line in _table("zone.tab").splitlines():
        if line and not line.startswith("#"):
            code, _, zone, *_ = line.split("\t")
            zones.setdefault(code, []).append(zone)
    return zones


def _countries() -> dict[str, str]:
    """Countries with a single time zone, by name ("pakistan" -> Asia/Karachi), from the
    zone database's own tables (tzdata ships them; nothing is downloaded)."""
    names = _table("iso3166.tab")
    zones = country_zones()
    if not names or not zones:
        return {}
    seen: dict[str, set[str]] = {}
    for line in names.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name = line.split("\t", 1)
        for part in re.split(r"\s*[()&]\s*", name):
            if part.strip():
                seen.setdefault(part.strip().casefold(), set()).update(zones.get(code, ["?", "??"]))
    # "Korea" names two countries, Germany has two zones: neither is a guess we make.
    return {name: next(iter(found)) for name, found in seen.items() if len(found) == 1}


def find_zone(answer: str) -> str | None:
    """An IANA time zone name for what the person typed ("Europe/London", "london",
    "new york", "Europe/Berlin "), or None."""
    typed = " ".join(answer.strip().strip(".!").replace("_", " ").split()).casefold()
    if not typed:
        return None
    return _zones().get(typed) or _zones().get(typed.replace(" ", "_"))


def is_zone(value: str) -> bool:
    """Whether ``value`` is exactly an IANA zone name with a region ("Europe/Paris")."""
    return "/" in value and _zones().get(value.casefold()) == value
