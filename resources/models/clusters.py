"""The Slurm clusters whose accounting the portal imports and whose associations it syncs."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


def token_hash(token: str) -> str:
    """The SHA-256 of ``token`` (UTF-8), as 64 lowercase hexadecimal digits: what
    :attr:`Cluster.api_token_hash` stores instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Cluster(models.Model):
    """A Slurm cluster whose accounting the portal imports.

    ``api_token_hash`` is the SHA-256 of the token the cluster's nightly ``sacct``
    push presents (``Authorization: Bearer …``); the token itself is shown once.
    """

    name = models.CharField(_("name"), max_length=64, unique=True,
                            help_text=_("As Slurm names it (the Cluster field of sacct)."))
    api_token_hash = models.CharField(max_length=64, blank=True)
    api_token_created_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The last Slurm synchronisation (``slurm_sync``) and accounting collection
    # (``collect_accounting``) run against this cluster: when, whether it worked, why not.
    last_sync_at = models.DateTimeField(_("last Slurm sync"), null=True, blank=True)
    last_sync_ok = models.BooleanField(_("last Slurm sync worked"), null=True, blank=True)
    last_sync_error = models.TextField(_("last Slurm sync error"), blank=True)
    last_sync_changes = models.PositiveIntegerField(_("changes applied by the last sync"),
                                                    default=0)
    last_collect_at = models.DateTimeField(_("last accounting collection"), null=True,
                                           blank=True)
    last_collect_ok = models.BooleanField(_("last accounting collection worked"), null=True,
                                          blank=True)
    last_collect_error = models.TextField(_("last accounting collection error"), blank=True)
    last_collect_jobs = models.PositiveIntegerField(_("jobs added by the last collection"),
                                                    default=0)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
