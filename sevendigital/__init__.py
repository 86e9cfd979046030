"""A Python client for the 7digital API 1.2 (plain Python: no Django imports).

Three layers, as in stripe-python: the transport (``requests`` with OAuth 1.0
HMAC-SHA1 signing by requests-oauthlib; :mod:`sevendigital.transport`), the
requestor (:mod:`sevendigital.requestor`: decoding and error mapping in
:mod:`~sevendigital.responses`, retries in :mod:`~sevendigital.retries`, the
Cache-Control cache in :mod:`~sevendigital.caching`) and the resources grouped by
area (:mod:`sevendigital.resources`), returning typed dataclasses
(:mod:`sevendigital.models`) and raising :mod:`sevendigital.errors`.
"""

from . import errors, models
from .caching import MemoryCache
from .client import PRODUCTION_URLS, SevenDigital
from .errors import AuthenticationFailed, SevenDigitalError
from .resources import CatalogueLog, MediaRequest, PreviewLog, SubscriptionLog
from .transport import RateLimit, UserAuth

__all__ = [
    "PRODUCTION_URLS",
    "AuthenticationFailed",
    "CatalogueLog",
    "MediaRequest",
    "MemoryCache",
    "PreviewLog",
    "RateLimit",
    "SevenDigital",
    "SevenDigitalError",
    "SubscriptionLog",
    "UserAuth",
    "errors",
    "models",
]
