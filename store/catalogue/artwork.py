"""7digital artwork at the size a page shows it.

Catalogue answers carry images at the API's default width (50 px covers, 150 px
pictures); the CDN serves every documented width under the same name with another
``_<size>.jpg`` suffix, so a page asks for the size it draws instead of upscaling.
"""

from __future__ import annotations

import re

_ARTWORK_SIZE = re.compile(r"_\d+(\.(?:jpe?g|png))$", re.IGNORECASE)


def artwork(url: str | None, size: int) -> str | None:
    """The same 7digital artwork at ``size`` px (any other URL is returned unchanged)."""
    if not url:
        return url
    return _ARTWORK_SIZE.sub(rf"_{size}\1", url)
