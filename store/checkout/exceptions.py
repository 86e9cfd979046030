"""Exceptions of checkout that its tasks must name when they are declared (Celery's
``autoretry_for``), kept apart from the services so that tasks need not import them at
the top (DESIGN.md: services import tasks, tasks import services inside functions)."""


class DeliveryPending(Exception):
    """A line could not be delivered yet; its task retries later."""
