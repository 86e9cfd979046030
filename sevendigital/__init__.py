"""A Python client for the 7digital API 1.2 (plain Python: no Django imports).

Three layers, as in stripe-python: the transport (``requests`` with OAuth 1.0
HMAC-SHA1 signing by requests-oauthlib), the requestor (decoding, error mapping,
retries, caching; :mod:`sevendigital.requestor`) and the resources grouped by
area (:mod:`sevendigital.resources`), returning typed dataclasses
(:mod:`sevendigital.models`) and raising :mod:`sevendigital.errors`.
"""

from . import errors, models
from .client import PRODUCTION_URLS, SevenDigital
from .errors import AuthenticationFailed, SevenDigitalError
from .requestor import MemoryCache, RateLimit, UserAuth
from .resources import CatalogueLog, MediaRequest, PreviewLog, SubscriptionLog

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
