"""Attribution of Slurm accounts to projects: accounts staff mapped by hand."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .projects import Project


class AccountAlias(models.Model):
    """A Slurm account, on one cluster, that staff attributed to a project.

    A job is attributed to the project whose ``slurm_account`` is its account; the
    accounts that match no project (created by hand on the cluster, left over from an
    earlier set-up, a SWF group id…) are mapped here. Usage is read from the summaries
    by account at query time, so an alias attributes the jobs already imported at once.
    On its cluster an alias wins over a project's Slurm account of the same name.
    """

    cluster = models.CharField(_("cluster"), max_length=64)
    account = models.CharField(_("Slurm account"), max_length=64)
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE,
                                related_name="account_aliases")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("mapped by"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("mapped"), auto_now_add=True)

    class Meta:
        verbose_name = _("account alias")
        verbose_name_plural = _("account aliases")
        ordering = ["cluster", "account"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "account"],
                                    name="account_alias_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster}:{self.account} → {self.project.acronym}"

