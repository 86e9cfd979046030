"""The sandbox's deterministic catalogue: the reference's own examples plus a generated world.

``examples`` holds the records the reference documents, ``words`` the word lists the
generated names are made of, and ``world`` builds both into rows (``seed()``). Where each
example comes from, and the rules of the generated world, are in ``docs/sandbox-seed.md``.
"""

from .examples import EXAMPLE_ARTIST_IDS, EXAMPLE_RELEASE_IDS, EXAMPLE_TRACK_IDS
from .world import (
    ANCHOR,
    GENERATED_ARTIST_IDS_FROM,
    GENERATED_RELEASE_IDS_FROM,
    GENERATED_TRACK_IDS_FROM,
    PRERELEASE_FROM,
    SeedStats,
    seed,
)

__all__ = [
    "ANCHOR",
    "EXAMPLE_ARTIST_IDS",
    "EXAMPLE_RELEASE_IDS",
    "EXAMPLE_TRACK_IDS",
    "GENERATED_ARTIST_IDS_FROM",
    "GENERATED_RELEASE_IDS_FROM",
    "GENERATED_TRACK_IDS_FROM",
    "PRERELEASE_FROM",
    "SeedStats",
    "seed",
]
