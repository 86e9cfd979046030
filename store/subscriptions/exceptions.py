"""Apart from the services so that tasks need not import them at the top."""


class SyncPending(Exception):
    """7digital could not be reached: the change waits for its next attempt."""
