"""Writes about usage: mapping Slurm accounts to projects, and the 80 % / 100 % alerts.

Mapping an account (an :class:`~projects.models.AccountAlias`) changes no job record
and no summary: the usage pages and the threshold check read the ``resources``
summaries by account at query time (``projects.selectors.usage``), so the jobs already
imported under that account count for the project at once, and so do later ones.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from algoric.audit.services import audit_record
from algoric.core.staff import require_staff
from algoric.notifications.models import Notification
from algoric.notifications.services import notify

from ..models import AccountAlias, Allocation, Project
from ..selectors.projects import leads
from ..selectors.usage import allocation_use

logger = logging.getLogger(__name__)

#: Shares of a year's CPU or GPU grant, in percent, at which the PI and managers are told
#: (each once per allocation and person).
USAGE_THRESHOLDS = (80, 100)


def account_alias_create(*, cluster: str, account: str, project: Project,
                         actor) -> AccountAlias:
    """Attribute the jobs of Slurm ``account`` on ``cluster`` to ``project`` (staff).

    Effective at once for the jobs already imported: usage is read from the summaries
    by account when a page is shown, nothing is rewritten.

    Args:
        cluster: the cluster name as in the accounting (``Cluster`` field of sacct).
        account: the Slurm account name as in the accounting.
        project: the project its jobs count for.
        actor: the staff member mapping it.

    Raises ``PermissionDenied`` for non-staff, ``ValidationError`` for an empty cluster
    or account, an account already mapped on that cluster, or an account that is
    already the project's own Slurm account.
    """
    require_staff(actor)
    cluster = (cluster or "").strip()
    account = (account or "").strip()
    if not cluster or not account:
        raise ValidationError(_("Give the cluster and the account to map."))
    if len(cluster) > 64 or len(account) > 64:
        raise ValidationError(_("A cluster or account name has at most 64 characters."))
    if account == project.slurm_account:
        raise ValidationError(
            _("%(account)s is already the Slurm account of %(project)s: its jobs count for "
              "it without a mapping.") % {"account": account, "project": project.acronym})
    existing = AccountAlias.objects.filter(cluster=cluster, account=account).select_related(
        "project").first()
    if existing is not None:
        raise ValidationError(
            _("%(account)s on %(cluster)s is already mapped to %(project)s.")
            % {"account": account, "cluster": cluster, "project": existing.project.acronym})
    try:
        with transaction.atomic():
            alias = AccountAlias.objects.create(cluster=cluster, account=account,
                                                project=project, created_by=actor)
            audit_record(action="account_alias.created", actor=actor, target=alias,
                         detail={"cluster": cluster, "account": account,
                                 "project": project.acronym})
    except IntegrityError as exc:  # mapped by someone else meanwhile
        raise ValidationError(
            _("%(account)s on %(cluster)s has just been mapped by someone else.")
            % {"account": account, "cluster": cluster}) from exc
    logger.info("account %s:%s mapped to project %s by user %s", cluster, account, project.pk,
                actor.pk)
    return alias


@transaction.atomic
def account_alias_delete(*, alias: AccountAlias, actor) -> None:
    """Remove a mapping (staff): the account's jobs no longer count for the project (at
    once). Raises ``PermissionDenied`` for non-staff."""
    require_staff(actor)
    deleted, _rows = AccountAlias.objects.filter(pk=alias.pk).delete()
    if deleted:
        audit_record(action="account_alias.deleted", actor=actor, target=alias,
                     detail={"cluster": alias.cluster, "account": alias.account,
                             "project": alias.project_id})
    logger.info("account alias %s:%s (project %s) removed by user %s", alias.cluster,
                alias.account, alias.project_id, actor.pk)


def _dedupe_key(allocation: Allocation, threshold: int, user) -> str:
    return f"usage_threshold:{allocation.pk}:{threshold}:{user.pk}"


def usage_check_thresholds(*, today: dt.date | None = None) -> int:
    """Tell the PI and managers of a project when its use of a CPU or GPU grant of this
    year reaches 80 % and then 100 % — once per threshold, allocation and person.

    For each *active* allocation of ``today``'s year whose resource is of kind ``cpu``
    (core-hours) or ``gpu`` (GPU-hours) and whose amount is above 0: used = the year's
    core-hours or GPU-hours of the project's accounts (Slurm account and aliases) on
    the resource's cluster/partition, from the usage summaries; share = used / amount.
    The highest threshold reached is notified (event ``usage_threshold``, dedupe key
    ``usage_threshold:<allocation>:<80|100>:<user>``): a grant crossed from 50 % to
    120 % between two checks gives one message, at 100 %. Suspended and expired
    allocations are not checked. Safe to run any number of times.

    Args:
        today: the date whose year is checked (default: today in ``TIME_ZONE``).

    Returns the number of notifications created.
    """
    today = today or timezone.localdate()
    allocations = list(Allocation.objects.filter(
        year=today.year, status=Allocation.Status.ACTIVE, amount__gt=0,
        resource__kind__in=["cpu", "gpu"]).select_related("project", "resource"))
    if not allocations:
        return 0
    use = allocation_use(year=today.year)
    due = []
    for allocation in allocations:
        used = use.get((allocation.project_id, allocation.resource_id), 0.0)
        percent = used * 100 / float(allocation.amount)
        reached = [threshold for threshold in USAGE_THRESHOLDS if percent >= threshold]
        if reached:
            due.append((allocation, max(reached), used, percent))
    if not due:
        return 0
    created = 0
    for allocation, threshold, used, percent in due:
        recipients = leads(allocation.project)
        keys = {user.pk: _dedupe_key(allocation, threshold, user) for user in recipients}
        sent = set(Notification.objects.filter(dedupe_key__in=list(keys.values()))
                   .values_list("dedupe_key", flat=True))
        for user in recipients:
            if keys[user.pk] in sent:
                continue
            with transaction.atomic():
                created += notify(
                    event="usage_threshold", recipient=user, dedupe_key=keys[user.pk],
                    context={"allocation": allocation, "project": allocation.project,
                             "resource": allocation.resource, "threshold": threshold,
                             "used": round(used), "granted": allocation.amount,
                             "percent": int(percent)},
                ).created
    return created
