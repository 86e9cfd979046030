"""What linking an account to a 7digital partner user can fail with.

Apart from the services so that the tasks, which retry on them, need not import the
services at the top (DESIGN.md: tasks import services inside their functions).
"""


class PartnerUserPending(Exception):
    """7digital could not be reached or failed for now: try again later."""


class PartnerUserFailed(Exception):
    """7digital refused to create the partner user: staff must look at it."""
