"""What every resource shares: a requestor and a few helpers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import InvalidResponse

if TYPE_CHECKING:
    from ..requestor import Requestor
    from ..transport import UserAuth

T = TypeVar("T")


class Resource:
    def __init__(self, requestor: Requestor) -> None:
        self._requestor = requestor

    def _get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        user: UserAuth | None = None,
        country: str | None = None,
        cache: bool = True,
        signed: bool = False,
    ) -> dict[str, Any]:
        data = self._requestor.request(
            "GET",
            "api",
            path,
            params=params,
            user=user,
            country=country,
            cache=cache,
            signed=signed,
        )
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _one(data: Any, key: str, reader: Callable[[Any], T]) -> T:
        """The object under ``key``; an answer without it is an :class:`InvalidResponse`."""
        value = data.get(key) if isinstance(data, dict) else None
        if not isinstance(value, dict):
            raise InvalidResponse(f"the response holds no {key}")
        return reader(value)
