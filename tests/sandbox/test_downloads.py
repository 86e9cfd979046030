"""The sandbox's media host for purchased downloads (reference lines 4887-4947), through
the project's client: real bytes, documented filenames, Range, counted downloads, 2002."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import UTC, datetime

import pytest
import requests
from django.conf import settings

from sandbox import audio
from sandbox.models import Purchase
from sandbox.models import Release as SandboxRelease
from sandbox.state import state
from sevendigital import errors

from .audio_files import decode, flac_streaminfo

pytestmark = pytest.mark.django_db(databases=["default", "sandbox"])

NO_SURPRISES = 1046
USER = "buyer-1"
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture
def client(sandbox_client, seeded_catalogue):
    sandbox_client.users.create(USER, country="GB")
    state.set_now(NOW)
    return sandbox_client


def _buy(client, release_id=NO_SURPRISES, *, user=USER, track_id=None, **options):
    return client.purchasing.deliver_item(
        user,
        release_id=release_id,
        track_id=track_id,
        transaction_id=f"t-{release_id}-{track_id}",
        country="GB",
        **options,
    )


def _tracks(release_id=NO_SURPRISES):
    return list(SandboxRelease.objects.get(id=release_id).tracks.order_by("disc_number", "number"))


def _mp3(track) -> bytes:
    """The track as format 17, "MP3 320"."""
    return _encoded(track, audio.FORMAT_ENCODINGS[17])


def _encoded(track, encoding) -> bytes:
    return audio.full_track(
        track.id, track.duration, encoding, cache_dir=settings.SANDBOX_AUDIO_CACHE
    )


def _buy_premium(client, **options):
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(has_premium=True)
    return _buy(client, package_id=9, **options)


def _fetch(client, request, *, range=None) -> requests.Response:
    response = client.media.open(request, range=range)
    response.content  # noqa: B018 - read it all
    response.close()
    return response


def _remaining(client, track_id: int) -> int:
    (entry,) = client.locker.get(USER, country="GB", release_id=NO_SURPRISES).releases
    return next(t for t in entry.tracks if t.track.id == track_id).remaining_downloads


def test_a_bought_track_downloads_as_its_mp3_with_the_documented_filename(client):
    _buy(client)
    track = _tracks()[0]
    before = _remaining(client, track.id)

    response = _fetch(
        client,
        client.media.download_track(
            USER, track_id=track.id, release_id=NO_SURPRISES, format_id=17, country="GB"
        ),
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "audio/mpeg"
    assert response.content == _mp3(track)
    assert response.headers["Content-Length"] == str(len(response.content))
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{track.artist.name} - {track.title}.mp3"'
    )
    assert _remaining(client, track.id) == before - 1


def test_a_resumed_download_gets_the_rest_and_is_not_counted_again(client):
    _buy(client)
    track = _tracks()[0]
    request = client.media.download_track(
        USER, track_id=track.id, release_id=NO_SURPRISES, format_id=17, country="GB"
    )
    first = _fetch(client, request, range="bytes=0-999")
    after_first = _remaining(client, track.id)

    rest = _fetch(client, request, range="bytes=1000-")

    data = _mp3(track)
    assert first.status_code == rest.status_code == 206
    assert first.content + rest.content == data
    assert rest.headers["Content-Range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
    assert _remaining(client, track.id) == after_first


def test_a_head_gives_the_download_s_headers_and_is_not_counted(client):
    _buy(client)
    track = _tracks()[0]
    before = _remaining(client, track.id)
    request = client.media.download_track(
        USER, track_id=track.id, release_id=NO_SURPRISES, format_id=17, country="GB"
    )

    for _ in range(2):
        response = client.media.open(request, method="HEAD")
        response.close()
        assert response.status_code == 200
        assert response.headers["Content-Length"] == str(len(_mp3(track)))
        assert response.headers["Content-Disposition"].endswith('.mp3"')

    assert _remaining(client, track.id) == before


def test_a_range_past_the_end_is_416_and_not_counted(client):
    _buy(client)
    track = _tracks()[0]
    before = _remaining(client, track.id)
    request = client.media.download_track(
        USER, track_id=track.id, release_id=NO_SURPRISES, format_id=17, country="GB"
    )

    response = _fetch(client, request, range="bytes=999999999-")

    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{len(_mp3(track))}"
    assert _remaining(client, track.id) == before


def test_a_release_downloads_as_a_zip_of_its_tracks_each_counted(client):
    _buy(client)
    tracks = _tracks()
    before = {t.id: _remaining(client, t.id) for t in tracks}

    response = _fetch(
        client, client.media.download_release(USER, release_id=NO_SURPRISES, country="GB")
    )

    release = SandboxRelease.objects.get(id=NO_SURPRISES)
    assert response.headers["Content-Type"] == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{release.artist.name} - {release.title}.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [
        f"{t.disc_number}-{t.number:02d} {t.artist.name} - {t.title}.mp3" for t in tracks
    ]
    assert [archive.read(name) for name in archive.namelist()] == [_mp3(t) for t in tracks]
    assert {t.id: _remaining(client, t.id) for t in tracks} == {
        tid: left - 1 for tid, left in before.items()
    }


def test_the_same_zip_is_byte_for_byte_the_same_so_it_can_be_resumed(client):
    _buy(client)
    request = client.media.download_release(USER, release_id=NO_SURPRISES, country="GB")
    whole = _fetch(client, request).content

    tail = _fetch(client, request, range="bytes=100-")

    assert tail.content == whole[100:]


def test_a_release_zip_holds_only_the_tracks_bought(client):
    track = _tracks()[1]
    _buy(client, track_id=track.id)

    response = _fetch(
        client, client.media.download_release(USER, release_id=NO_SURPRISES, country="GB")
    )

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == [f"1-{track.number:02d} {track.artist.name} - {track.title}.mp3"]


def test_a_purchase_downloads_as_a_dated_zip_in_the_best_format_bought(client):
    SandboxRelease.objects.filter(id=NO_SURPRISES).update(has_premium=True)
    purchase = _buy(client, package_id=9)

    response = _fetch(
        client, client.media.download_purchase(USER, purchase_id=purchase.id, country="GB")
    )

    assert response.headers["Content-Disposition"] == (
        'attachment; filename="7digital_Downloads_02-11-2026.zip"'
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert len(archive.namelist()) == len(_tracks())
    sale = Purchase.objects.get(id=purchase.id)
    assert set(sale.downloads.values_list("format_id", flat=True)) == {45}
    assert [name.rsplit(".", 1)[1] for name in archive.namelist()] == ["flac"] * len(_tracks())
    assert [archive.read(name) for name in archive.namelist()] == [
        _encoded(t, audio.FLAC) for t in _tracks()
    ]


@pytest.mark.parametrize(
    ("format_id", "content_type", "extension", "codec"),
    [(33, "audio/mp4", "m4a", "aac"), (45, "audio/flac", "flac", "flac")],
    ids=["aac", "flac"],
)
def test_an_aac_or_flac_download_is_a_real_file_of_that_codec_and_named_so(
    client, format_id, content_type, extension, codec
):
    if format_id == 45:
        _buy_premium(client)
    else:
        _buy(client)
    track = _tracks()[0]

    response = _fetch(
        client,
        client.media.download_track(
            USER, track_id=track.id, release_id=NO_SURPRISES, format_id=format_id, country="GB"
        ),
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{track.artist.name} - {track.title}.{extension}"'
    )
    data = response.content
    assert response.headers["Content-Length"] == str(len(data))
    if codec == "aac":
        assert data[4:12] == b"ftypM4A "
    else:
        assert data[:4] == b"fLaC"
        assert flac_streaminfo(data).bits_per_sample == 16
    decoded = decode(data)
    assert decoded.codec == codec
    assert (decoded.sample_rate, decoded.channels) == (44_100, 1)
    assert decoded.seconds == pytest.approx(track.duration, abs=0.05)
    assert data == _encoded(track, audio.FORMAT_ENCODINGS[format_id])


@pytest.mark.parametrize("format_id", [33, 45], ids=["aac", "flac"])
def test_a_range_of_an_aac_or_flac_download_is_206_with_that_slice(client, format_id):
    if format_id == 45:
        _buy_premium(client)
    else:
        _buy(client)
    track = _tracks()[0]
    request = client.media.download_track(
        USER, track_id=track.id, release_id=NO_SURPRISES, format_id=format_id, country="GB"
    )
    whole = _fetch(client, request).content

    middle = _fetch(client, request, range="bytes=1000-1999")
    rest = _fetch(client, request, range="bytes=2000-")

    assert middle.status_code == rest.status_code == 206
    assert middle.headers["Content-Range"] == f"bytes 1000-1999/{len(whole)}"
    assert middle.content == whole[1000:2000]
    assert whole[:1000] + middle.content + rest.content == whole


def test_a_release_zip_in_aac_holds_m4a_files(client):
    track = _tracks()[1]
    _buy(client, track_id=track.id)

    response = _fetch(
        client,
        client.media.download_release(USER, release_id=NO_SURPRISES, format_id=33, country="GB"),
    )

    archive = zipfile.ZipFile(io.BytesIO(response.content))
    name = f"1-{track.number:02d} {track.artist.name} - {track.title}.m4a"
    assert archive.namelist() == [name]
    assert archive.read(name) == _encoded(track, audio.FORMAT_ENCODINGS[33])


def test_downloads_stop_at_the_licensors_limit(client):
    release = (
        SandboxRelease.objects.filter(territories__contains=",GB,", taken_down=False)
        .filter(licensor__id__in=[i for i in range(1, 300) if i % 3 == 1])
        .order_by("duration")
        .first()
    )
    assert release.licensor.download_limit == 3
    track = release.tracks.order_by("duration").first()
    _buy(client, release.id, track_id=track.id)
    request = client.media.download_track(
        USER, track_id=track.id, release_id=release.id, format_id=17, country="GB"
    )
    for _ in range(3):
        assert _fetch(client, request).status_code == 200

    with pytest.raises(errors.NotAvailable) as refused:
        _fetch(client, request)

    assert refused.value.code == 2002
    assert "no downloads" in str(refused.value)


@pytest.mark.parametrize(
    "case", ["not bought", "another user's", "refunded", "taken down", "format not in package"]
)
def test_no_licence_is_2002(client, case):
    track = _tracks()[0]
    format_id = 17
    if case == "another user's":
        client.users.create("someone-else", country="GB")
        _buy(client, user="someone-else")
    elif case == "refunded":
        purchase = _buy(client)
        client.refunds.release(USER, purchase_id=purchase.id, release_id=NO_SURPRISES)
    elif case == "taken down":
        _buy(client)
        SandboxRelease.objects.filter(id=NO_SURPRISES).update(taken_down=True)
    elif case == "format not in package":
        _buy(client)
        format_id = 45

    with pytest.raises(errors.NotAvailable) as refused:
        _fetch(
            client,
            client.media.download_track(
                USER, track_id=track.id, release_id=NO_SURPRISES, format_id=format_id, country="GB"
            ),
        )

    assert refused.value.code == 2002


def test_an_unknown_user_or_purchase_is_2002(client):
    purchase = _buy(client)

    with pytest.raises(errors.NotAvailable):
        _fetch(client, client.media.download_purchase("nobody", purchase_id=purchase.id))
    with pytest.raises(errors.NotAvailable):
        _fetch(client, client.media.download_purchase(USER, purchase_id=purchase.id + 1000))


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"releaseId": NO_SURPRISES, "formatId": 17}, errors.MissingParameter),
        ({"releaseId": NO_SURPRISES, "trackId": "x", "formatId": 17}, errors.InvalidParameter),
        (
            {"releaseId": NO_SURPRISES, "trackId": 2**70, "formatId": 17},
            errors.InvalidParameter,
        ),
    ],
)
def test_bad_parameters_are_1001_and_1002(client, params, error):
    request = client.media.download_track(
        USER, track_id=1, release_id=NO_SURPRISES, format_id=17, country="GB"
    )

    with pytest.raises(error):
        _fetch(client, dataclasses.replace(request, params=params))


def test_a_processed_reset_makes_the_sale_and_then_drops_the_connection(client):
    state.add_fault(kind="processed_reset", endpoint="user/deliveritem", times=1)

    with pytest.raises(errors.SevenDigitalError):
        _buy(client)

    assert Purchase.objects.filter(release_id=NO_SURPRISES).count() == 1


def test_a_reset_drops_the_connection_before_the_sale(client):
    state.add_fault(kind="reset", endpoint="user/deliveritem", times=1)

    with pytest.raises(errors.SevenDigitalError):
        _buy(client)

    assert not Purchase.objects.exists()
