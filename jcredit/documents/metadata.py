"""A project's name and location, from the metadata URI it registered, read offline only.

Read: `data:application/json,{...}` (percent-encoded or `;base64`), and a JSON file given as a
path or `file://` URI. Anything else (https, ipfs) would need the network: the documents then
show the URI itself, which the reader can open.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse


@dataclass(frozen=True)
class ProjectInfo:
    uri: str
    name: str  # "" when the metadata could not be read offline or has no name
    location: str  # e.g. "Hamamatsu, Shizuoka (34.71 N, 137.73 E)"; "" when unknown


def project_info(uri: str) -> ProjectInfo:
    data = _read_json(uri)
    if not isinstance(data, dict):
        return ProjectInfo(uri, "", "")
    name = str(data.get("name") or "").strip()
    return ProjectInfo(uri, name, _location(data))


def _read_json(uri: str) -> object:
    try:
        if uri.startswith("data:"):
            header, _, payload = uri[5:].partition(",")
            if "json" not in header:
                return None
            raw = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload)
            return json.loads(raw)
        parsed = urlparse(uri)
        if parsed.scheme == "file":
            return json.loads(Path(unquote(parsed.path)).read_text(encoding="utf-8"))
        if parsed.scheme == "" and uri.endswith(".json") and Path(uri).is_file():
            return json.loads(Path(uri).read_text(encoding="utf-8"))
    except (ValueError, OSError):
        return None
    return None


def _location(data: dict) -> str:
    place = str(data.get("location") or data.get("address") or "").strip()
    lat, lon = data.get("lat", data.get("latitude")), data.get("lon", data.get("longitude"))
    if isinstance(lat, int | float) and isinstance(lon, int | float):
        north, east = "N" if lat >= 0 else "S", "E" if lon >= 0 else "W"
        coordinates = f"{abs(lat):g} {north}, {abs(lon):g} {east}"
        return f"{place} ({coordinates})" if place else coordinates
    return place
