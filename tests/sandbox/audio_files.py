"""What an audio file holds, read back the way a player would: its container's signature by
hand, its audio by decoding it with PyAV (ffmpeg's decoders), independently of sandbox.audio."""

from __future__ import annotations

import io
from dataclasses import dataclass

import av


@dataclass(frozen=True)
class Decoded:
    codec: str
    sample_rate: int
    channels: int
    sample_format: str
    seconds: float  # counted from the samples decoded, not from the container's header
    pcm: bytes  # the decoded samples as they came out of the decoder


def decode(data: bytes) -> Decoded:
    with av.open(io.BytesIO(data)) as container:
        (stream,) = container.streams.audio
        samples = 0
        pcm = bytearray()
        for frame in container.decode(stream):
            samples += frame.samples
            pcm += bytes(frame.planes[0])[: frame.samples * frame.format.bytes]
        return Decoded(
            codec=stream.codec_context.name,
            sample_rate=stream.codec_context.sample_rate,
            channels=stream.codec_context.channels,
            sample_format=stream.codec_context.format.name,
            seconds=samples / stream.codec_context.sample_rate,
            pcm=bytes(pcm),
        )


def mp4_boxes(data: bytes) -> list[tuple[str, bytes]]:
    """The top-level boxes of an MP4 file as (type, payload), in file order."""
    boxes, pos = [], 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8].decode("latin-1")
        header = 8
        if size == 1:  # a 64-bit size follows the type
            size, header = int.from_bytes(data[pos + 8 : pos + 16], "big"), 16
        assert size >= header, f"bad box size at byte {pos}"
        boxes.append((kind, data[pos + header : pos + size]))
        pos += size
    assert pos == len(data), "trailing bytes after the last box"
    return boxes


@dataclass(frozen=True)
class FlacStreamInfo:
    sample_rate: int
    channels: int
    bits_per_sample: int
    total_samples: int


def flac_streaminfo(data: bytes) -> FlacStreamInfo:
    """The STREAMINFO block that must open every FLAC file (after the "fLaC" marker)."""
    assert data[:4] == b"fLaC"
    assert data[4] & 0x7F == 0, "the first metadata block is not STREAMINFO"
    assert int.from_bytes(data[5:8], "big") == 34
    # 10 bytes of block and frame sizes, then 20 bits rate, 3 channels-1, 5 bits-1, 36 samples.
    packed = int.from_bytes(data[18:26], "big")
    return FlacStreamInfo(
        sample_rate=packed >> 44,
        channels=((packed >> 41) & 0b111) + 1,
        bits_per_sample=((packed >> 36) & 0b11111) + 1,
        total_samples=packed & ((1 << 36) - 1),
    )
