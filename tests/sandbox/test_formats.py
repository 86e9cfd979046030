"""Generated full tracks as AAC (in M4A) and FLAC: real files of their codec, the same song as
the MP3, byte-identical on every run, and cached on disk like the MP3."""

from __future__ import annotations

import array
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sandbox import audio

from .audio_files import decode, flac_streaminfo, mp4_boxes
from .test_audio import mp3_frames

AAC_FLAC = pytest.mark.parametrize("encoding", [audio.AAC, audio.FLAC], ids=["aac", "flac"])


@pytest.fixture(autouse=True)
def cold_caches():
    """Each test starts (and leaves) with the in-process synthesis caches empty."""
    audio._song_loop.cache_clear()
    yield
    audio._song_loop.cache_clear()


def test_the_reference_formats_get_their_codecs_content_types_and_extensions():
    chosen = {
        format_id: (encoding.name, encoding.content_type, encoding.extension)
        for format_id, encoding in audio.FORMAT_ENCODINGS.items()
    }
    assert chosen[17] == ("mp3", "audio/mpeg", "mp3")  # MP3 320
    assert chosen[33] == ("aac", "audio/mp4", "m4a")  # AAC 320
    assert chosen[45] == ("flac", "audio/flac", "flac")  # FLAC 16-bit 44.1kHz


@pytest.mark.parametrize(
    ("format_id", "kbps"), [(17, 320), (33, 320), (45, None), (48, 256), (55, 64), (56, 160)]
)
def test_each_format_has_the_bit_rate_its_name_gives(format_id, kbps):
    assert audio.FORMAT_ENCODINGS[format_id].bit_rate_kbps == kbps


@pytest.mark.parametrize(("format_id", "kbps"), [(17, 320), (48, 256)])
def test_an_mp3_format_is_constant_at_its_bit_rate(format_id, kbps):
    data = audio.full_track(31, 6, audio.FORMAT_ENCODINGS[format_id])
    assert {frame["bitrate"] for frame in mp3_frames(data)} == {kbps}
    assert len(data) == pytest.approx(audio.mp3_size_estimate(6, kbps), rel=0.005)


@pytest.mark.parametrize(("format_id", "kbps"), [(55, 64), (56, 160)])
def test_an_aac_format_averages_its_bit_rate(format_id, kbps):
    data = audio.full_track(31, 20, audio.FORMAT_ENCODINGS[format_id])
    assert len(data) * 8 / decode(data).seconds == pytest.approx(kbps * 1000, rel=0.1)


def test_aac_320_is_as_rich_as_mono_aac_gets():
    """Mono AAC tops out well below 320 kbit/s (docs/sandbox-audio.md): more than AAC 160."""
    data = audio.full_track(31, 20, audio.FORMAT_ENCODINGS[33])
    aac_160 = audio.full_track(31, 20, audio.FORMAT_ENCODINGS[56])
    assert len(data) > len(aac_160)


def test_every_format_has_its_own_cache_file(tmp_path):
    names = {
        audio.full_track_cache_path(tmp_path, 8, 6, encoding).name
        for encoding in audio.FORMAT_ENCODINGS.values()
    }
    assert len(names) == len(audio.FORMAT_ENCODINGS)
    assert audio.full_track_cache_path(tmp_path, 8, 6, audio.FORMAT_ENCODINGS[55]).name == (
        f"track-8-6s-64k-v{audio.GENERATOR_VERSION}.m4a"
    )


@pytest.mark.parametrize(
    "encoding",
    [
        audio.MP3.at(100),
        audio.MP3.at(0),
        audio.AAC.at(1000),
        audio.FLAC.at(128),
        audio.AAC.at(None),
    ],
)
def test_a_bit_rate_the_codec_cannot_take_is_refused(tmp_path, encoding):
    with pytest.raises(ValueError, match="cannot be encoded"):
        audio.full_track(8, 2, encoding)
    with pytest.raises(ValueError, match="cannot be encoded"):
        audio.full_track_file(8, 2, encoding, tmp_path)


# --- what the files are ----------------------------------------------------------------------


def test_an_aac_track_is_an_m4a_file_of_aac_lasting_the_tracks_duration(capsys):
    started = time.perf_counter()
    data = audio.full_track(77, 95, audio.AAC)  # several loops of the song: it is tiled
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[audio] 95 s AAC: {len(data)} bytes encoded in {elapsed:.3f} s (cold)")

    assert data[4:8] == b"ftyp"
    boxes = mp4_boxes(data)
    kinds = [kind for kind, _ in boxes]
    brand, _version, compatible = boxes[0][1][:4], boxes[0][1][4:8], boxes[0][1][8:]
    assert brand == b"M4A "
    assert b"isom" in [compatible[i : i + 4] for i in range(0, len(compatible), 4)]
    assert kinds.index("moov") < kinds.index("mdat")  # index first: playable while arriving
    decoded = decode(data)
    assert decoded.codec == "aac"
    assert (decoded.sample_rate, decoded.channels) == (44_100, 1)
    assert decoded.seconds == pytest.approx(95, abs=0.05)
    # About 128 kbps: a real lossy encoding, not PCM in a box.
    assert len(data) * 8 / 95 == pytest.approx(audio.AAC_BITRATE_KBPS * 1000, rel=0.1)


def test_a_flac_track_is_16_bit_44_1_khz_flac_lasting_the_tracks_duration(capsys):
    started = time.perf_counter()
    data = audio.full_track(77, 95, audio.FLAC)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n[audio] 95 s FLAC: {len(data)} bytes encoded in {elapsed:.3f} s (cold)")

    info = flac_streaminfo(data)
    assert (info.sample_rate, info.channels, info.bits_per_sample) == (44_100, 1, 16)
    assert info.total_samples == 95 * 44_100
    decoded = decode(data)
    assert decoded.codec == "flac"
    assert (decoded.sample_rate, decoded.channels, decoded.sample_format) == (44_100, 1, "s16")
    assert decoded.seconds == 95


def test_the_flac_is_losslessly_the_song_the_mp3_is_made_from():
    decoded = decode(audio.full_track(5, 40, audio.FLAC))
    song = b"".join(audio._pcm_chunks(5, 40))  # what LAME is given for the MP3
    if sys.byteorder == "big":  # the decoder gives native-endian samples
        song = audio._native_pcm(song)
    assert decoded.pcm == song


def test_the_aac_sounds_like_the_song():
    """A lossy copy stays close to the song's samples (it is not silence or noise)."""
    decoded = decode(audio.full_track(5, 10, audio.AAC))
    heard = array.array("f", decoded.pcm)
    song = array.array("h", b"".join(audio._pcm_chunks(5, 10)))
    if sys.byteorder == "big":
        song.byteswap()
    n = min(len(heard), len(song))
    signal = sum(s * s for s in song[:n:7])
    error = sum((h * 32768 - s) ** 2 for h, s in zip(heard[:n:7], song[:n:7], strict=True))
    assert error < signal / 100  # more than 20 dB signal-to-noise


def test_a_full_track_of_any_format_is_the_same_length_as_its_mp3():
    seconds = {
        encoding.name: decode(audio.full_track(12, 33, encoding)).seconds
        for encoding in (audio.MP3, audio.AAC, audio.FLAC)
    }
    assert seconds["flac"] == 33
    assert seconds["aac"] == pytest.approx(33, abs=0.05)
    assert seconds["mp3"] == pytest.approx(33, abs=0.1)  # whole 1152-sample frames


# --- determinism -----------------------------------------------------------------------------


@AAC_FLAC
def test_the_same_track_gives_byte_identical_files(encoding):
    first = audio.full_track(1, 20, encoding)
    audio._song_loop.cache_clear()  # regenerate from scratch, not from the in-memory loop
    assert audio.full_track(1, 20, encoding) == first


@AAC_FLAC
def test_a_fresh_interpreter_gives_the_same_bytes(encoding):
    code = (
        "import hashlib; from sandbox import audio; "
        f"print(hashlib.sha256(audio.full_track(12345, 10, audio.{encoding.name.upper()}))"
        ".hexdigest())"
    )
    root = Path(audio.__file__).resolve().parent.parent
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code],
        cwd=root,
        env={**os.environ, "PYTHONHASHSEED": "random"},
        capture_output=True,
        text=True,
        check=True,
    )
    expected = hashlib.sha256(audio.full_track(12345, 10, encoding)).hexdigest()
    assert result.stdout.strip() == expected


@AAC_FLAC
def test_no_encoder_version_is_written_into_the_file(encoding):
    """A version string would change the bytes with every PyAV upgrade, for the same audio."""
    data = audio.full_track(3, 5, encoding)
    assert b"Lavf" not in data
    assert b"Lavc" not in data


def test_different_tracks_give_different_files():
    files = {track_id: audio.full_track(track_id, 5, audio.AAC) for track_id in (1, 2, 3)}
    assert len(set(files.values())) == len(files)


# --- the disk cache --------------------------------------------------------------------------


@AAC_FLAC
def test_a_cached_track_is_read_back_instead_of_re_encoded(tmp_path, monkeypatch, encoding):
    cache = tmp_path / "audio"  # created on demand
    first = audio.full_track(9, 12, encoding, cache_dir=cache)
    rate = "" if encoding.bit_rate_kbps is None else f"-{encoding.bit_rate_kbps}k"  # AAC: 128k
    path = cache / f"track-9-12s{rate}-v{audio.GENERATOR_VERSION}.{encoding.extension}"
    assert path.read_bytes() == first
    assert audio.full_track_cache_path(cache, 9, 12, encoding) == path
    assert [p.name for p in cache.iterdir()] == [path.name]  # no temp leftovers

    def no_encoding(*args):
        raise AssertionError("the cached file should have been used")

    monkeypatch.setattr(audio, "_render_with_pyav", no_encoding)
    audio._song_loop.cache_clear()
    assert audio.full_track(9, 12, encoding, cache_dir=cache) == first
    assert audio.full_track_file(9, 12, encoding, cache) == path
    with pytest.raises(AssertionError):  # proves the patch bites when nothing is cached
        audio.full_track(9, 13, encoding, cache_dir=cache)


@AAC_FLAC
def test_the_cached_file_is_what_would_be_generated(tmp_path, encoding):
    path = audio.full_track_file(8, 6, encoding, tmp_path)
    assert path.read_bytes() == audio.full_track(8, 6, encoding)


def test_each_format_and_generator_version_has_its_own_cache_file(tmp_path, monkeypatch):
    names = {
        audio.full_track_file(8, 6, encoding, tmp_path).name
        for encoding in (audio.MP3, audio.AAC, audio.FLAC)
    }
    monkeypatch.setattr(audio, "GENERATOR_VERSION", audio.GENERATOR_VERSION + 1)
    names.add(audio.full_track_cache_path(tmp_path, 8, 6, audio.FLAC).name)
    assert len(names) == 4


def test_a_failed_encoding_leaves_no_partial_file(tmp_path, monkeypatch):
    def broken_encoder(track_id, seconds, encoding, dest):
        dest.write_bytes(b"half a file")
        raise OSError("disk full")

    monkeypatch.setattr(audio, "_render_with_pyav", broken_encoder)
    with pytest.raises(OSError, match="disk full"):
        audio.full_track_file(10, 2, audio.FLAC, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_encoding_is_refused():
    with pytest.raises(ValueError, match="unknown encoding"):
        audio.full_track(1, 5, audio.Encoding("ogg", "audio/ogg", "ogg"))
