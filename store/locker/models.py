from django.db import models


class DownloadTicketUse(models.Model):
    """A download ticket that has started its download (see ``services``): a ticket
    starts one download only, so its nonce is kept here from its first full fetch until
    it is too old to start one anyway."""

    nonce = models.CharField(max_length=32, primary_key=True)
    started_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"download ticket {self.nonce} started {self.started_at:%Y-%m-%d %H:%M:%S}"
