"""Deterministic, generated audio for the sandbox's previews, streams and downloads.

Each track id gets its own short tune, synthesised in integer arithmetic (the same PCM on
every machine) and encoded as MP3, AAC (M4A) or FLAC per 7digital format id, at the bit rate
its name gives (:data:`FORMAT_ENCODINGS`); files are cached on disk and never change once
served, so Range requests stay consistent. Bump ``GENERATOR_VERSION`` when the output changes on
purpose. How and why it is built this way (encoders, bitrates, determinism, speed without
numpy): ``docs/sandbox-audio.md``.
"""

from __future__ import annotations

import array
import contextlib
import dataclasses
import hashlib
import math
import operator
import os
import pathlib
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, repeat
from typing import BinaryIO

import av
import lameenc

__all__ = [
    "AAC",
    "AAC_BITRATE_KBPS",
    "CHANNELS",
    "CONTENT_TYPE",
    "ENCODINGS",
    "FLAC",
    "FORMAT_ENCODINGS",
    "GENERATOR_VERSION",
    "LAME_QUALITY",
    "MAX_DURATION_SECONDS",
    "MP3",
    "MP3_BITRATE_KBPS",
    "PREVIEW_SECONDS",
    "SAMPLES_PER_FRAME",
    "SAMPLE_RATE",
    "Encoding",
    "atomic_file",
    "clip_cache_path",
    "clip_mp3",
    "full_track",
    "full_track_cache_path",
    "full_track_file",
    "full_track_mp3",
    "mp3_size_estimate",
]

GENERATOR_VERSION = 1
SAMPLE_RATE = 44_100
CHANNELS = 1  # mono: half the encoders' work, and the generated tune gains nothing from stereo
MP3_BITRATE_KBPS = 128  # of previews (and MP3 by default), constant: 30 s is about 480 KB
LAME_QUALITY = 5  # LAME's scale, 0 = best/slowest .. 9 = worst/fastest; 5 is its default
SAMPLES_PER_FRAME = 1152  # MPEG-1 Layer III
AAC_BITRATE_KBPS = 128  # of AAC by default, average: ffmpeg's AAC encoder is not constant-bitrate
PREVIEW_SECONDS = 30
MAX_DURATION_SECONDS = 60 * 60
CONTENT_TYPE = "audio/mpeg"  # of previews, which are always MP3


@dataclass(frozen=True)
class Encoding:
    """How the song is delivered: what HTTP says about the file, and how it is named.

    ``bit_rate_kbps`` is the lossy codecs' bit rate (None for FLAC); it is part of the cache
    file's name, so files of different bit rates never share one.
    """

    name: str
    content_type: str
    extension: str  # without the dot
    bit_rate_kbps: int | None = None

    def at(self, bit_rate_kbps: int) -> Encoding:
        """The same codec at another bit rate."""
        return dataclasses.replace(self, bit_rate_kbps=bit_rate_kbps)


MP3 = Encoding("mp3", CONTENT_TYPE, "mp3", MP3_BITRATE_KBPS)
# audio/mp4 (RFC 4337) is the type of an MP4 file holding only audio; audio/aac names a raw
# ADTS stream, which an .m4a is not.
AAC = Encoding("aac", "audio/mp4", "m4a", AAC_BITRATE_KBPS)
FLAC = Encoding("flac", "audio/flac", "flac")
ENCODINGS = {encoding.name: encoding for encoding in (MP3, AAC, FLAC)}

# The 7digital formats the reference names, by id, at the bit rates their names give:
# downloads "MP3 320" 17, "AAC 320" 33, "FLAC 16-bit 44.1kHz" 45, "MP3 256" 48; streams
# "AAC 64" 55 and "AAC 160" 56. (Mono AAC tops out below 320 kbit/s: docs/sandbox-audio.md.)
FORMAT_ENCODINGS = {
    17: MP3.at(320),
    33: AAC.at(320),
    45: FLAC,
    48: MP3.at(256),
    55: AAC.at(64),
    56: AAC.at(160),
}
# What LAME can write at 44.1 kHz (MPEG-1 Layer III), and what is asked of ffmpeg's AAC.
_MP3_BIT_RATES_KBPS = frozenset((32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320))
_AAC_BIT_RATES_KBPS = range(16, 321)

_BIG_ENDIAN = sys.byteorder == "big"

# Wavetables: one period in 4096 integer samples.
_TABLE_BITS = 12
_TABLE_SIZE = 1 << _TABLE_BITS
_TABLE_MASK = _TABLE_SIZE - 1
_ONE = 1 << 16  # fixed point: the mix is in 16.16, envelopes are 0.._ONE

_LEAD_PEAK = 9_000  # in 16-bit sample units
_PAD_PEAK = 8_500
# Worst case |lead| + |echo| + |pad| = 9000 * 1.25 + 8500 = 19750 < 32767: no clipping, and
# 19750 << 16 < 2**31 keeps every 32-bit mix field in range.

# Chord progressions as (semitones above the key's tonic, is_minor).
_I, _II, _III, _IV, _V, _VI = (0, False), (2, True), (4, True), (5, False), (7, False), (9, True)
_PROGRESSIONS = (
    (_I, _V, _VI, _IV),
    (_VI, _IV, _I, _V),
    (_I, _VI, _IV, _V),
    (_I, _IV, _VI, _V),
    (_IV, _I, _V, _VI),
    (_I, _III, _IV, _V),
    (_VI, _II, _V, _I),
    (_I, _IV, _II, _V),
)
# Tempos whose eighth note is a whole number of samples at 44.1 kHz.
_TEMPOS_BPM = (84, 90, 98, 105, 120)
# One bar of melody rhythm in eighth notes (each sums to 8).
_RHYTHMS = (
    (2, 2, 2, 2),
    (3, 1, 2, 2),
    (2, 1, 1, 2, 2),
    (4, 2, 2),
    (2, 2, 4),
    (3, 3, 2),
    (1, 1, 2, 4),
    (2, 2, 2, 1, 1),
)
# The last bar of each four-bar phrase ends on a long note.
_CADENCE_RHYTHMS = ((2, 2, 4), (4, 4), (3, 1, 4), (2, 1, 1, 4))
_PENTATONIC = (0, 2, 4, 7, 9)
_MELODY_STEPS = (-2, -1, -1, 0, 1, 1, 2)
_MELODY_LOW, _MELODY_HIGH = 1, 8  # usable scale indices: 2nd above base .. 1.5 octaves up
_BARS_PER_LOOP = 8
_EIGHTHS_PER_BAR = 8

_LEAD_ATTACK = SAMPLE_RATE * 8 // 1000
_LEAD_DECAY_SECONDS = 0.45
_LEAD_RELEASE = SAMPLE_RATE * 30 // 1000
_PAD_EDGE = SAMPLE_RATE * 60 // 1000
_MAX_NOTE_EIGHTHS = max(map(max, _RHYTHMS + _CADENCE_RHYTHMS))
_MAX_LEAD_NOTE = _MAX_NOTE_EIGHTHS * (SAMPLE_RATE * 30 // min(_TEMPOS_BPM))  # in samples
_LEAD_CYCLE_TARGET = 4096  # samples per exactly periodic lead buffer (tuning error < 0.3 cent)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def clip_mp3(
    track_id: int,
    *,
    seconds: int = PREVIEW_SECONDS,
    cache_dir: pathlib.Path | None = None,
) -> bytes:
    """Return a ``seconds``-long MP3 preview clip for ``track_id``.

    The bytes depend only on ``track_id`` and ``seconds``. With ``cache_dir`` the clip is read
    from :func:`clip_cache_path` if present, otherwise generated and written there atomically
    (the directory is created when missing).
    """
    track_id = _check_track_id(track_id)
    seconds = _check_seconds(seconds, "seconds")
    path = None if cache_dir is None else clip_cache_path(cache_dir, track_id, seconds)
    return _cached(path, MP3, lambda dest: _encode(track_id, seconds, MP3, dest))


def full_track(
    track_id: int,
    duration_seconds: int,
    encoding: Encoding = MP3,
    cache_dir: pathlib.Path | None = None,
) -> bytes:
    """Return the full-length audio for ``track_id``, ``duration_seconds`` long, as ``encoding``.

    The same song as :func:`clip_mp3` (a clip is this track's opening). With ``cache_dir`` it is
    cached as :func:`full_track_cache_path`.
    """
    track_id, duration_seconds = _check_track(track_id, duration_seconds, encoding)
    path = (
        None
        if cache_dir is None
        else full_track_cache_path(cache_dir, track_id, duration_seconds, encoding)
    )
    return _cached(path, encoding, lambda dest: _encode(track_id, duration_seconds, encoding, dest))


def full_track_mp3(
    track_id: int,
    duration_seconds: int,
    cache_dir: pathlib.Path | None = None,
) -> bytes:
    """Return the full-length MP3 for ``track_id`` (:func:`full_track` as MP3)."""
    return full_track(track_id, duration_seconds, MP3, cache_dir)


def full_track_file(
    track_id: int,
    duration_seconds: int,
    encoding: Encoding,
    cache_dir: pathlib.Path,
) -> pathlib.Path:
    """The cached file of :func:`full_track`, encoded first if missing, to stream from.

    Unlike :func:`full_track` it never holds the whole file in memory.
    """
    track_id, duration_seconds = _check_track(track_id, duration_seconds, encoding)
    path = full_track_cache_path(cache_dir, track_id, duration_seconds, encoding)
    if not path.exists():
        with _atomic_path(path) as dest:
            _encode(track_id, duration_seconds, encoding, dest)
    return path


def clip_cache_path(cache_dir: pathlib.Path, track_id: int, seconds: int) -> pathlib.Path:
    """Where :func:`clip_mp3` caches a clip (the file need not exist yet)."""
    return _cache_path(cache_dir, "clip", track_id, seconds, MP3)


def full_track_cache_path(
    cache_dir: pathlib.Path, track_id: int, duration_seconds: int, encoding: Encoding = MP3
) -> pathlib.Path:
    """Where :func:`full_track` caches a track (the file need not exist yet)."""
    return _cache_path(cache_dir, "track", track_id, duration_seconds, encoding)


def mp3_size_estimate(seconds: int, bit_rate_kbps: int = MP3_BITRATE_KBPS) -> int:
    """Approximate size in bytes of a generated MP3 lasting ``seconds`` (CBR: within 0.5 %)."""
    frames = math.ceil(seconds * SAMPLE_RATE / SAMPLES_PER_FRAME) + 1
    return frames * 144 * bit_rate_kbps * 1000 // SAMPLE_RATE


# ---------------------------------------------------------------------------------------------
# Validation and the on-disk cache
# ---------------------------------------------------------------------------------------------


def _check_track_id(track_id: int) -> int:
    if isinstance(track_id, bool):
        raise TypeError("track_id must be an int, not bool")
    track_id = operator.index(track_id)
    if track_id < 0:
        raise ValueError(f"track_id must not be negative, got {track_id}")
    return track_id


def _check_seconds(value: int, name: str) -> int:
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, not bool")
    value = operator.index(value)
    if not 1 <= value <= MAX_DURATION_SECONDS:
        raise ValueError(f"{name} must be between 1 and {MAX_DURATION_SECONDS}, got {value}")
    return value


def _check_encoding(encoding: Encoding) -> None:
    codec = ENCODINGS.get(getattr(encoding, "name", None))
    if codec is None or encoding.at(codec.bit_rate_kbps) != codec:
        raise ValueError(f"unknown encoding {encoding!r}")
    rates = {MP3.name: _MP3_BIT_RATES_KBPS, AAC.name: _AAC_BIT_RATES_KBPS}.get(codec.name)
    kbps = encoding.bit_rate_kbps
    valid = kbps is None if rates is None else type(kbps) is int and kbps in rates
    if not valid:
        raise ValueError(f"{codec.name} cannot be encoded at {kbps!r} kbit/s")


def _check_track(track_id: int, duration_seconds: int, encoding: Encoding) -> tuple[int, int]:
    _check_encoding(encoding)
    return _check_track_id(track_id), _check_seconds(duration_seconds, "duration_seconds")


def _cache_path(
    cache_dir: pathlib.Path, kind: str, track_id: int, seconds: int, encoding: Encoding
) -> pathlib.Path:
    # The version is in the name: files of an older generator are never served. So is the bit
    # rate of a lossy encoding: each format's file is its own.
    rate = "" if encoding.bit_rate_kbps is None else f"-{encoding.bit_rate_kbps}k"
    name = f"{kind}-{int(track_id)}-{int(seconds)}s{rate}-v{GENERATOR_VERSION}.{encoding.extension}"
    return pathlib.Path(cache_dir) / name


def _cached(
    path: pathlib.Path | None, encoding: Encoding, encode: Callable[[pathlib.Path], None]
) -> bytes:
    """The bytes of ``path``, or else ``encode`` writes them there (atomically) first.

    Without a path they are encoded into a scratch file: an MP4 muxer needs a seekable file it
    can reopen by name, to move its index in front of the audio.
    """
    if path is None:
        with tempfile.TemporaryDirectory(prefix="sandbox-audio-") as scratch:
            dest = pathlib.Path(scratch) / f"audio.{encoding.extension}"
            encode(dest)
            return dest.read_bytes()
    with contextlib.suppress(FileNotFoundError):
        return path.read_bytes()
    with _atomic_path(path) as dest:
        encode(dest)
        return dest.read_bytes()


@contextlib.contextmanager
def _atomic_path(path: pathlib.Path) -> Iterator[pathlib.Path]:
    """A path to write ``path``'s bytes into, put in place only once they are all written.

    It is a unique temporary file in the same directory, renamed over the target: readers
    never see a partial file, and concurrent writers just replace identical bytes.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        yield pathlib.Path(tmp_name)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


@contextlib.contextmanager
def atomic_file(path: pathlib.Path) -> Iterator[BinaryIO]:
    """A file to write ``path``'s bytes into, put in place only once it is closed (see
    :func:`_atomic_path`)."""
    with _atomic_path(path) as tmp_path, tmp_path.open("wb") as tmp:
        yield tmp


# ---------------------------------------------------------------------------------------------
# Encoding
# ---------------------------------------------------------------------------------------------

# PyAV encodings by name: (muxer, its options, codec, its options, its sample format); the bit
# rate is the encoding's. The "ipod" muxer writes MP4 with the M4A brand that iTunes and
# browsers expect of an .m4a; "faststart" moves its index (moov) in front of the audio so that
# playback can start early. "bitexact" keeps version strings and times out of the files: a file
# depends only on its audio. The AAC encoder's "fast" coder keeps to the asked bit rate better
# than its default ("twoloop", which gives mono about 150 kbit/s when asked for 160 or more) in
# half the time.
_PYAV_SETTINGS = {
    AAC.name: (
        "ipod",
        {"fflags": "+bitexact", "movflags": "+faststart"},
        "aac",
        {"flags": "+bitexact", "aac_coder": "fast"},
        "fltp",
    ),
    FLAC.name: ("flac", {"fflags": "+bitexact"}, "flac", {"flags": "+bitexact"}, "s16"),
}


def _encode(track_id: int, seconds: int, encoding: Encoding, dest: pathlib.Path) -> None:
    """Write the track's first ``seconds`` of song to ``dest``, encoded as ``encoding``."""
    if encoding.name == MP3.name:
        dest.write_bytes(_render_mp3(track_id, seconds, encoding.bit_rate_kbps))
    else:
        _render_with_pyav(track_id, seconds, encoding, dest)


def _new_encoder(bit_rate_kbps: int) -> lameenc.Encoder:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bit_rate_kbps)
    encoder.set_in_sample_rate(SAMPLE_RATE)
    encoder.set_out_sample_rate(SAMPLE_RATE)
    encoder.set_channels(CHANNELS)
    encoder.set_quality(LAME_QUALITY)
    return encoder


def _render_mp3(track_id: int, seconds: int, bit_rate_kbps: int) -> bytes:
    """The song's first ``seconds`` encoded as MP3 at ``bit_rate_kbps`` (constant)."""
    encoder = _new_encoder(bit_rate_kbps)
    out = bytearray()
    for chunk in _pcm_chunks(track_id, seconds):
        out += encoder.encode(_native_pcm(chunk))
    out += encoder.flush()
    return bytes(out)


def _render_with_pyav(track_id: int, seconds: int, encoding: Encoding, dest: pathlib.Path) -> None:
    """The song's first ``seconds`` encoded by ffmpeg (through PyAV) into the file ``dest``."""
    muxer, muxer_options, codec, codec_options, sample_format = _PYAV_SETTINGS[encoding.name]
    with av.open(str(dest), "w", format=muxer, options=dict(muxer_options)) as output:
        stream = output.add_stream(
            codec, rate=SAMPLE_RATE, layout="mono", options=dict(codec_options)
        )
        stream.format = sample_format  # PyAV converts the 16-bit input to it
        if encoding.bit_rate_kbps is not None:
            stream.bit_rate = encoding.bit_rate_kbps * 1000
        pts = 0
        for chunk in _pcm_chunks(track_id, seconds):
            frame = av.AudioFrame(format="s16", layout="mono", samples=len(chunk) // 2)
            frame.planes[0].update(_native_pcm(chunk))
            frame.sample_rate = SAMPLE_RATE
            frame.pts = pts
            pts += frame.samples
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))  # flush the encoder's delayed frames


def _pcm_chunks(track_id: int, seconds: int) -> Iterator[bytes]:
    """The song's first ``seconds`` (fading out at the end) as 16-bit little-endian PCM.

    At most one loop at a time, so that hour-long tracks need little memory.
    """
    loop = _song_loop(track_id)  # 16-bit little-endian mono PCM
    loop_len = len(loop) // 2
    total = seconds * SAMPLE_RATE
    fade = min(2 * SAMPLE_RATE, total // 4)
    fade_start = total - fade
    pos = 0  # in samples from the start of the song
    while pos < total:
        offset = pos % loop_len
        end = min(total, pos + loop_len - offset)
        if pos < fade_start < end:
            end = fade_start
        chunk = loop[2 * offset : 2 * (offset + end - pos)]
        if pos >= fade_start:
            chunk = _fade_out(chunk, pos - fade_start, fade)
        yield chunk
        pos = end


def _native_pcm(pcm_le: bytes) -> bytes:
    """lameenc and PyAV's "s16" take 16-bit samples in the machine's byte order."""
    if not _BIG_ENDIAN:
        return pcm_le
    samples = array.array("h", pcm_le)
    samples.byteswap()
    return samples.tobytes()


def _fade_out(pcm_le: bytes, into_fade: int, fade: int) -> bytes:
    samples = array.array("h", pcm_le)
    if _BIG_ENDIAN:
        samples.byteswap()
    # Quadratic fade (gain ((fade - i) / fade) ** 2), exact in integers and computed in C.
    remaining = range(fade - into_fade, fade - into_fade - len(samples), -1)
    scaled = map(operator.mul, map(operator.mul, samples, remaining), remaining)
    faded = array.array("h", map(operator.floordiv, scaled, repeat(fade * fade)))
    if _BIG_ENDIAN:
        faded.byteswap()
    return faded.tobytes()


# ---------------------------------------------------------------------------------------------
# Song generation
# ---------------------------------------------------------------------------------------------


class _Rng:
    """splitmix64 seeded from a hash of the track id: tiny, and stable across Python versions."""

    __slots__ = ("_state",)

    def __init__(self, track_id: int) -> None:
        seed = hashlib.sha256(f"7d-sandbox-audio:v{GENERATOR_VERSION}:{track_id}".encode())
        self._state = int.from_bytes(seed.digest()[:8], "little")

    def next(self) -> int:
        self._state = (self._state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self._state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n

    def choice(self, seq):
        return seq[self.below(len(seq))]


def _midi_hz(note: int) -> float:
    return 440.0 * 2.0 ** ((note - 69) / 12)


@lru_cache(maxsize=1)
def _sines() -> tuple[float, ...]:
    return tuple(math.sin(2.0 * math.pi * i / _TABLE_SIZE) for i in range(_TABLE_SIZE))


def _wavetable(partials: tuple[tuple[int, float], ...], peak: float) -> array.array:
    """One period of a sum of sines (harmonic, amplitude), scaled to ``peak``, as integers."""
    sines = _sines()
    raw = [0.0] * _TABLE_SIZE
    for harmonic, amp in partials:
        raw = [v + amp * sines[(harmonic * i) & _TABLE_MASK] for i, v in enumerate(raw)]
    scale = peak / max(map(abs, raw))
    return array.array("i", (round(v * scale) for v in raw))


@lru_cache(maxsize=1)
def _lead_table() -> array.array:
    # Mellow and slightly hollow: a fundamental with soft low harmonics.
    return _wavetable(((1, 1.0), (2, 0.32), (3, 0.14), (4, 0.05)), _LEAD_PEAK)


@lru_cache(maxsize=2)
def _pad_table(minor: bool) -> array.array:
    """Bass + triad in just intonation, as harmonics of one fundamental, in 16.16.

    Major is 4:5:6 over root/4 (bass root/2 = harmonic 2); minor is 10:12:15 over root/10
    (bass = harmonic 5), so one exactly periodic buffer plays the whole chord.
    """
    if minor:
        partials = ((5, 1.0), (10, 0.55), (12, 0.42), (15, 0.40))
    else:
        partials = ((2, 1.0), (4, 0.55), (5, 0.42), (6, 0.40))
    return _wavetable(partials, _PAD_PEAK * _ONE)


def _periodic(table: array.array, cycles: int, length: int) -> array.array:
    """``cycles`` periods of ``table`` resampled to exactly ``length`` samples."""
    step = cycles * _TABLE_SIZE
    return array.array("i", [table[(i * step // length) & _TABLE_MASK] for i in range(length)])


def _tile(buffer: array.array, length: int) -> array.array:
    reps = -(-length // len(buffer))
    return (buffer * reps)[:length]


@lru_cache(maxsize=1)
def _lead_envelope() -> array.array:
    """Pluck, 0.._ONE: 8 ms linear attack, then exponential decay, as long as any lead note.

    The decay is a running product of one constant factor (plain IEEE multiplication, the
    same everywhere), truncated to integers.
    """
    length = _MAX_LEAD_NOTE - _LEAD_ATTACK
    factor = math.exp(-1.0 / (_LEAD_DECAY_SECONDS * SAMPLE_RATE))
    decay = accumulate(repeat(factor, length - 1), operator.mul, initial=float(_ONE))
    envelope = array.array("i", [_ONE * i // _LEAD_ATTACK for i in range(_LEAD_ATTACK)])
    envelope.extend(map(int, decay))
    return envelope


@lru_cache(maxsize=32)
def _lead_voice(note: int, length: int) -> array.array:
    """An enveloped lead note in 16.16, ``length`` samples long (shorter notes are prefixes)."""
    hz = _midi_hz(note)
    cycles = max(1, round(hz * _LEAD_CYCLE_TARGET / SAMPLE_RATE))
    period = _periodic(_lead_table(), cycles, round(cycles * SAMPLE_RATE / hz))
    return array.array("i", map(operator.mul, _tile(period, length), _lead_envelope()))


@lru_cache(maxsize=32)
def _pad_bar(chord_root: int, minor: bool, length: int) -> array.array:
    """One bar of the chord pad in 16.16, with short fades at both ends."""
    fundamental = _midi_hz(chord_root) / (10 if minor else 4)
    bar = _tile(_periodic(_pad_table(minor), 1, round(SAMPLE_RATE / fundamental)), length)
    edge = _PAD_EDGE
    bar[:edge] = array.array("i", [v * i // edge for i, v in enumerate(bar[:edge])])
    bar[-edge:] = array.array("i", [v * (edge - i) // edge for i, v in enumerate(bar[-edge:])])
    return bar


@lru_cache(maxsize=4)  # ~2 MB each; a clip and its full track share one
def _song_loop(track_id: int) -> bytes:
    """One seamless 8-bar loop of the track's song as 16-bit little-endian mono PCM."""
    rng = _Rng(track_id)
    key = rng.below(12)
    bpm = rng.choice(_TEMPOS_BPM)
    progression = rng.choice(_PROGRESSIONS)
    eighth = SAMPLE_RATE * 30 // bpm
    bar_len = eighth * _EIGHTHS_PER_BAR
    loop_len = bar_len * _BARS_PER_LOOP
    chords = [progression[i % len(progression)] for i in range(_BARS_PER_LOOP)]

    pad = array.array("i")
    for degree, minor in chords:
        pad += _pad_bar(48 + (key + degree) % 12, minor, bar_len)  # roots C3..B3

    notes = _melody(rng, key, chords)
    lead = array.array("i", bytes(4 * loop_len))
    longest: dict[int, int] = {}
    for note, _start, eighths in notes:
        longest[note] = max(longest.get(note, 0), eighths * eighth)
    for note, start, eighths in notes:
        length = eighths * eighth
        samples = _lead_voice(note, longest[note])[:length]
        release = _LEAD_RELEASE
        samples[-release:] = array.array(
            "i", [v * (release - i) // release for i, v in enumerate(samples[-release:])]
        )
        lead[start * eighth : start * eighth + length] = samples

    return _mix(pad, lead, echo_delay=3 * eighth)


def _melody(rng: _Rng, key: int, chords) -> list[tuple[int, int, int]]:
    """(MIDI note, start, length) in eighths: a pentatonic walk landing on chord tones."""
    base = 60 + (key if key < 6 else key - 12)  # F#3..F4, so the melody spans G#3..C6
    scale = [base + octave * 12 + step for octave in range(3) for step in _PENTATONIC]
    usable = range(_MELODY_LOW, _MELODY_HIGH + 1)
    index = _MELODY_LOW + rng.below(_MELODY_HIGH - _MELODY_LOW)
    rhythms = [rng.choice(_RHYTHMS) for _ in range(3)] + [rng.choice(_CADENCE_RHYTHMS)]

    notes: list[tuple[int, int, int]] = []
    first_bar: list[tuple[int, int, int]] = []
    for bar_index, (degree, minor) in enumerate(chords):
        bar_start = bar_index * _EIGHTHS_PER_BAR
        if bar_index == 4:  # the second phrase opens with the first one's motif
            notes += [(n, s + bar_start, e) for n, s, e in first_bar]
            continue
        chord = {(key + degree + iv) % 12 for iv in ((0, 3, 7) if minor else (0, 4, 7))}
        rhythm = rhythms[bar_index % 4]
        pos = 0
        for slot, eighths in enumerate(rhythm):
            last = bar_index == len(chords) - 1 and slot == len(rhythm) - 1
            if last:
                targets = [i for i in usable if scale[i] % 12 == key]  # home to the tonic
            elif slot == 0:
                targets = [i for i in usable if scale[i] % 12 in chord]
            else:
                targets = []
            if targets:
                index = min(targets, key=lambda i: (abs(i - index), i))
            else:
                step = rng.choice(_MELODY_STEPS)
                index += step if _MELODY_LOW <= index + step <= _MELODY_HIGH else -step
            if last or slot == 0 or rng.below(8):  # an occasional rest
                note = (scale[index], pos, eighths)
                notes.append((note[0], bar_start + pos, eighths))
                if bar_index == 0:
                    first_bar.append(note)
            pos += eighths
    return notes


def _mix(pad: array.array, lead: array.array, echo_delay: int) -> bytes:
    """pad + lead + lead delayed by ``echo_delay`` at 1/4, all 16.16 -> 16-bit PCM bytes.

    Each signal becomes one big integer with a 32-bit two's-complement field per sample, so
    additions are single big-integer operations. Carries and borrows between fields can shift
    a neighbouring field by one unit in the last fractional place, which is discarded anyway.
    The echo is shifted right by 2 after flipping each field's sign bit (making fields
    non-negative, v + 2**31), masking the bits pulled in from the neighbour, and the bias
    (2**29 per field after the shift) is subtracted again.
    """
    n = len(lead)
    lead_bytes = _le_bytes(lead)
    cut = 4 * (n - echo_delay)
    echo = int.from_bytes(lead_bytes[cut:] + lead_bytes[:cut], "little") ^ _field_mask(
        n, 0x8000_0000
    )
    echo = (echo >> 2) & _field_mask(n, 0x3FFF_FFFF)
    total = (
        int.from_bytes(lead_bytes, "little")
        + int.from_bytes(_le_bytes(pad), "little")
        + echo
        - _field_mask(n, 0x2000_0000)
    )
    fields = (total & ((1 << (32 * n)) - 1)).to_bytes(4 * n, "little")
    pcm = bytearray(2 * n)
    pcm[0::2] = fields[2::4]  # the integer part of each 16.16 field is its upper two bytes
    pcm[1::2] = fields[3::4]
    return bytes(pcm)


def _le_bytes(samples: array.array) -> bytes:
    if not _BIG_ENDIAN:
        return samples.tobytes()
    swapped = array.array(samples.typecode, samples)
    swapped.byteswap()
    return swapped.tobytes()


@lru_cache(maxsize=16)
def _field_mask(count: int, field: int) -> int:
    """``field`` repeated in ``count`` little-endian 32-bit fields, as one integer."""
    return int.from_bytes(field.to_bytes(4, "little") * count, "little")
