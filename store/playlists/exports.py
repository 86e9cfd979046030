"""A playlist written as XSPF (https://xspf.org/spec) or extended M3U, to keep or to
take elsewhere (issue 20). Streams are not files anyone may fetch, so a track's
``location`` is its page in the shop; what lets another player (or this shop, on
import) find the recording again is the ISRC, the artist, the title and the length,
taken from the catalogue where the track plays in the customer's country."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from store.playlists.selectors import Entry

XSPF = "http://xspf.org/ns/0/"
ISRC_URN = "urn:isrc:"


def _artist(entry: Entry) -> str:
    track = entry.track
    if track is not None and track.artist is not None:
        return track.artist.appears_as or track.artist.name
    return entry.item.artist_appears_as


def _title(entry: Entry) -> str:
    return entry.track.title if entry.track is not None else entry.item.track_title


def xspf(*, name: str, entries: list[Entry], page_url) -> bytes:
    """``page_url(track_id)``: the address of a track's page in the shop."""
    ElementTree.register_namespace("", XSPF)
    root = ElementTree.Element(f"{{{XSPF}}}playlist", version="1")
    ElementTree.SubElement(root, f"{{{XSPF}}}title").text = name
    tracks = ElementTree.SubElement(root, f"{{{XSPF}}}trackList")
    for entry in entries:
        track = ElementTree.SubElement(tracks, f"{{{XSPF}}}track")
        if entry.track is not None:
            ElementTree.SubElement(track, f"{{{XSPF}}}location").text = page_url(entry.track.id)
            if entry.track.isrc:
                ElementTree.SubElement(track, f"{{{XSPF}}}identifier").text = (
                    ISRC_URN + entry.track.isrc
                )
        ElementTree.SubElement(track, f"{{{XSPF}}}title").text = _title(entry)
        if _artist(entry):
            ElementTree.SubElement(track, f"{{{XSPF}}}creator").text = _artist(entry)
        album = entry.item.release_title or (
            entry.track.release.title if entry.track and entry.track.release else ""
        )
        if album:
            ElementTree.SubElement(track, f"{{{XSPF}}}album").text = album
        if entry.track is not None and entry.track.duration:
            ElementTree.SubElement(track, f"{{{XSPF}}}duration").text = str(
                entry.track.duration * 1000
            )
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _m3u_text(text: str) -> str:
    return re.sub(r"[\r\n]+", " ", text).strip()


def m3u(*, name: str, entries: list[Entry], page_url) -> bytes:
    lines = ["#EXTM3U", f"#PLAYLIST:{_m3u_text(name)}"]
    for entry in entries:
        seconds = entry.track.duration if entry.track is not None and entry.track.duration else -1
        artist, title = _m3u_text(_artist(entry)), _m3u_text(_title(entry))
        lines.append(f"#EXTINF:{seconds},{f'{artist} - ' if artist else ''}{title}")
        if entry.track is not None and entry.track.isrc:
            lines.append(f"#EXT-X-ISRC:{entry.track.isrc}")
        lines.append(page_url(entry.track.id) if entry.track is not None else f"# {title}")
    return ("\n".join(lines) + "\n").encode("utf-8")
