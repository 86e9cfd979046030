"""The sandbox answers each reference example's own request with the example's shape.

For every catalogue example in the 1.2 reference, the request the reference shows is
replayed against the sandbox; every element and attribute path of the example (XML) and
every key path of its JSON twin must appear in the sandbox's answer. Values differ (the
sandbox's catalogue is its own); the shape is the contract other clients rely on.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from defusedxml import ElementTree

from .conftest import SANDBOX_URL

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

FIXTURES = Path(__file__).parents[1] / "sevendigital" / "fixtures"

# (reference line of the example request, the request, the example fixtures)
EXAMPLES = [
    (431, "/1.2/status?country=GB", "status"),
    (442, "/1.2/artist/browse?letter=p&country=US", "artist_browse"),
    (488, "/1.2/artist/chart?country=GB", "artist_chart"),
    (562, "/1.2/artist/details?artistid=1&country=GB", "artist_details"),
    (
        593,
        "/1.2/artist/releases?artistid=1&country=GB&pagesize=2"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "artist_releases",
    ),
    (853, "/1.2/artist/search?q=pink&sort=score%20desc&country=US&pagesize=2", "artist_search"),
    (
        922,
        "/1.2/artist/toptracks?artistid=2&country=GB&pagesize=2"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "artist_toptracks",
    ),
    (
        1241,
        "/1.2/release/chart?country=GB&pagesize=2"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "release_chart",
    ),
    (
        1439,
        "/1.2/release/details?releaseid=1046&country=GB"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "release_details",
    ),
    (
        1563,
        "/1.2/release/details/batch?releaseids=12345,12346,12347&showerrors=true&country=GB"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "release_details_batch",
    ),
    (
        1914,
        "/1.2/release/search?q=no%20surprises&country=GB&pagesize=2"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "release_search",
    ),
    (
        2184,
        "/1.2/release/tracks?releaseid=1046&country=GB"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "release_tracks",
    ),
    (
        2484,
        "/1.2/track/chart?country=GB&pagesize=2"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "track_chart",
    ),
    (
        2792,
        "/1.2/track/details?trackid=123456&country=GB"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "track_details",
    ),
    (
        2945,
        "/1.2/track/details/batch?trackids=2146,1347&showerrors=true&country=GB"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "track_details_batch",
    ),
    (
        3317,
        "/1.2/track/search?q=Happy&country=GB&pagesize=2"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "track_search",
    ),
    (3651, "/1.2/tag?country=GB", "tag"),
    (3674, "/1.2/artist/tags?artistid=1&country=GB", "artist_tags"),
    (3736, "/1.2/artist/bytag/top?tags=rock,pop,2000s&country=GB&pagesize=2", "artist_bytag_top"),
    (3799, "/1.2/release/tags?releaseid=155408&country=GB", "release_tags"),
    (
        3832,
        "/1.2/release/bytag/new?tags=rock&page=2&pageSize=2&country=GB"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "release_bytag_new",
    ),
    (
        4219,
        "/1.2/release/bytag/top?tags=rock&page=1&pageSize=2&country=GB"
        "&usageTypes=download,subscriptionstreaming,adsupportedstreaming",
        "release_bytag_top",
    ),
]

# Paths in the reference's examples the sandbox deliberately does not reproduce, and why.
NOT_REPRODUCED = {
    # The documented JSON of release/bytag/* repeats every release twice, once under
    # "releases" and once under "taggedReleases[].release"; the sandbox writes the XML's
    # taggedItem[].release in both formats, as artist/bytag/top's JSON does.
    "release_bytag_new.json": {"taggedResults.releases", "taggedResults.taggedReleases"},
    "release_bytag_top.json": {"taggedResults.releases", "taggedResults.taggedReleases"},
    # The batch JSON example carries three always-null legacy fields on each release.
    "release_details_batch.json": {
        "items.releases[].url",
        "items.releases[].price",
        "items.releases[].formats",
        "items.releases[].artist.url",
    },
}

XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def xml_paths(element, prefix: str = "") -> set[str]:
    path = f"{prefix}/{element.tag}" if prefix else element.tag
    paths = {path}
    paths |= {f"{path}@{name}" for name in element.attrib if not name.startswith(XSI)}
    for child in element:
        if isinstance(child.tag, str):
            paths |= xml_paths(child, path)
    return paths


def json_paths(value, prefix: str = "") -> set[str]:
    paths = set()
    if isinstance(value, dict):
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            paths |= json_paths(child, path)
    elif isinstance(value, list):
        for child in value:
            paths |= json_paths(child, f"{prefix}[]")
    return paths


def replay(client_session, request: str, *, json_wanted: bool):
    parts = urlsplit(request)
    params = dict(parse_qsl(parts.query))
    params["oauth_consumer_key"] = "sandbox-key"
    headers = {"Accept": "application/json"} if json_wanted else {}
    response = client_session.get(f"{SANDBOX_URL}{parts.path}", params=params, headers=headers)
    assert response.status_code == 200, response.text[:500]
    return response


def covered(expected: set[str], actual: set[str], skipped: set[str]) -> set[str]:
    return {
        path
        for path in expected - actual
        if not any(path == s or path.startswith((f"{s}.", f"{s}[]", f"{s}/")) for s in skipped)
    }


@pytest.mark.parametrize(("line", "request_path", "name"), EXAMPLES, ids=[e[2] for e in EXAMPLES])
def test_the_xml_answer_has_every_path_of_the_reference_example(
    http_session, seeded_catalogue, line, request_path, name
):
    example = ElementTree.fromstring((FIXTURES / f"{name}.xml").read_bytes())
    answer = ElementTree.fromstring(replay(http_session, request_path, json_wanted=False).content)
    missing = covered(
        xml_paths(example), xml_paths(answer), NOT_REPRODUCED.get(f"{name}.xml", set())
    )
    assert not missing, f"reference line {line}: the sandbox's XML lacks {sorted(missing)}"


JSON_EXAMPLES = [e for e in EXAMPLES if (FIXTURES / f"{e[2]}.json").exists()]


@pytest.mark.parametrize(
    ("line", "request_path", "name"), JSON_EXAMPLES, ids=[e[2] for e in JSON_EXAMPLES]
)
def test_the_json_answer_has_every_path_of_the_reference_example(
    http_session, seeded_catalogue, line, request_path, name
):
    example = json.loads((FIXTURES / f"{name}.json").read_text())
    answer = replay(http_session, request_path, json_wanted=True).json()
    expected = json_paths(example) - {"schema"}
    missing = covered(expected, json_paths(answer), NOT_REPRODUCED.get(f"{name}.json", set()))
    assert not missing, f"reference line {line}: the sandbox's JSON lacks {sorted(missing)}"
