"""Background work of the catalogue."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from store.catalogue import selectors


@shared_task(
    autoretry_for=(selectors.CatalogueUnavailable,),
    retry_backoff=True,  # 1 s, 2 s, 4 s ... with full jitter, so workers do not retry in step
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=10,  # about a quarter of an hour; the next page view queues another
    ignore_result=True,
)
def catalogue_refresh(selector: str, params: dict[str, Any]) -> None:
    """Read a catalogue selector again once 7digital recovers, replacing its stale copy."""
    selectors.refresh(selector=selector, params=params)
