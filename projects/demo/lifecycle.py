"""Steps of the demonstration centre that show the life of a grant after its first
year: a renewal for next year under review with its activity report, and allocations
whose end date the PI asked to extend (one approved, one waiting for staff)."""

from __future__ import annotations

import datetime as dt

from ..models import Allocation, AllocationExtension, ResourceRequest
from ..services.allocation_extensions import (
    allocation_extension_approve,
    allocation_extension_request,
)
from ..services.renewals import activity_report_save, request_renew
from ..services.request_review import request_start_review
from ..services.requests import request_submit

#: The project whose renewal for next year is under review (key of ``people.PROJECTS``).
RENEWAL_PROJECT = "eolien"
#: Its activity report (what was done, results, problems).
ACTIVITY_REPORT = (
    "Nous avons calculé la fatigue des pales et des mâts de trois prototypes d'éoliennes "
    "flottantes sous 1 200 états de mer, avec le couplage hydro-aéro-élastique développé "
    "l'an passé. Les calculs de production ont tourné de février à octobre, par campagnes "
    "de deux semaines.",
    "Deux articles soumis (Ocean Engineering, Renewable Energy), un jeu de données ouvert "
    "sur Recherche Data Gouv et une thèse soutenue en septembre. Le dimensionnement du "
    "flotteur a été réduit de 8 % grâce à ces calculs.",
    "Des files d'attente longues en juin ont retardé une campagne de trois semaines ; un "
    "défaut du solveur en double précision a coûté environ 5 % des heures, corrigé depuis.",
)
#: Allocations of this year whose end is moved: (project key, approved?, reason).
EXTENSIONS = (
    ("atlas", True, "Le reprocessing a pris du retard : la collaboration a livré les "
                    "données brutes en novembre seulement."),
    ("etoiles", False, "La seconde saison d'observation a été décalée de deux mois ; "
                       "nous demandons de finir les traitements au printemps."),
)


class LifecycleSteps:
    """The ``lifecycle_step`` of :class:`~projects.demo.centre.DemoCentre`: a mixin that
    reads the centre's ``year``, ``today``, ``_staff`` and ``projects``, and counts what
    it creates in ``result.created``."""

    def lifecycle_step(self) -> None:
        """A renewal under review with its activity report; extensions of allocations."""
        project = self.projects.get(RENEWAL_PROJECT)
        if project is not None and not project.requests.filter(
                kind=ResourceRequest.Kind.RENEWAL, status=ResourceRequest.Status.UNDER_REVIEW
        ).exists():
            pi = project.pi
            renewal = request_renew(project=project, actor=pi)
            work, results, problems = ACTIVITY_REPORT
            activity_report_save(request=renewal, work=work, results=results,
                                 problems=problems, actor=pi)
            renewal = request_submit(request=renewal, actor=pi)
            request_start_review(request=renewal, actor=self._staff)
            self.result.created["requests"] += 1
        for key, approve, reason in EXTENSIONS:
            project = self.projects.get(key)
            allocation = (Allocation.objects.filter(project=project, year=self.year)
                          .order_by("pk").first() if project is not None else None)
            if allocation is None or AllocationExtension.objects.filter(
                    allocation=allocation).exists():
                continue
            ends_on = max(allocation.ends_on, self.today) + dt.timedelta(days=90)
            extension = allocation_extension_request(allocation=allocation, ends_on=ends_on,
                                                     reason=reason, actor=project.pi)
            if approve:
                allocation_extension_approve(
                    extension=extension, actor=self._staff,
                    note="Accordé : les heures restent celles de l'année.")
            self.result.created["allocation extensions"] += 1
