"""Apart from the services so that tasks need not import them at the top."""


class SyncPending(Exception):
    """7digital could not be reached: the change waits for its next attempt."""


class SubscriptionNotPossible(Exception):
    """The customer cannot do this now (a plan not sold in their currency, a second
    subscription, cancelling one that has ended): the message is for them."""
