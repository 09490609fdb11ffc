"""The demonstration centre's research outputs: a few per showcase project —
publications with DOIs (some in HAL, some in open access), a data set and software
archived in Software Heritage.

Every identifier here is the demo's own: DOIs under ``10.5555`` (the prefix the DOI
Foundation keeps for examples and tests, which resolves to nothing), HAL ids from
``hal-0999…`` and SWHIDs of made-up hashes; every output's ``source`` is ``demo``.
"""

from __future__ import annotations

from ..models import ResearchOutput
from ..outputs.services.manual import ADDED, research_output_record

#: The prefix of the demo's DOIs (the DOI Foundation's example prefix).
DEMO_DOI_PREFIX = "10.5555/algoric-demo"

#: (project key, years before this one, fields of the output).
DEMO_OUTPUTS = [
    ("houle", 1, {"kind": "article", "title": "Surcotes de tempête dans le golfe du "
                  "Morbihan : un modèle spectral couplé", "authors": "Morvan, Gaëlle and "
                  "Le Bris, Tugdual", "venue": "Ocean Modelling",
                  "doi": f"{DEMO_DOI_PREFIX}.houle.2025.1", "hal_id": "hal-09990001",
                  "open_access": "open", "licence": "CC-BY-4.0",
                  "acknowledges_centre": True}),
    ("houle", 1, {"kind": "dataset", "title": "Rejeu de la houle dans le golfe du Morbihan, "
                  "1990–2024", "authors": "Morvan, Gaëlle", "venue": "Recherche Data Gouv",
                  "doi": f"{DEMO_DOI_PREFIX}.houle.data", "open_access": "open",
                  "licence": "CC-BY-4.0", "acknowledges_centre": True}),
    ("houle", 0, {"kind": "software", "title": "houle-solver, modèle de vagues pour baies "
                  "semi-fermées", "authors": "Le Bris, Tugdual",
                  "swhid": "swh:1:dir:0a0b0c0d0e0f0a1b2c3d4e5f60718293a4b5c6d7",
                  "url": "https://gitlab.demo.algoric.org/houle/houle-solver",
                  "open_access": "open", "licence": "GPL-3.0-or-later",
                  "acknowledges_centre": True}),
    ("sediment", 1, {"kind": "article", "title": "Envasement des ports du Loch : vingt ans "
                     "de bathymétrie et de simulation", "authors": "Le Floch, Yannick and "
                     "Nicol, Katell", "venue": "Géomorphologie",
                     "doi": f"{DEMO_DOI_PREFIX}.sediment.2025", "open_access": "closed"}),
    ("sediment", 0, {"kind": "conference", "title": "Transport sédimentaire en rivière "
                     "d'Auray", "authors": "Nicol, Katell",
                     "venue": "Journées Calcul et Données", "hal_id": "hal-09990002",
                     "open_access": "open", "acknowledges_centre": True}),
    ("crue", 1, {"kind": "article", "title": "Cartes d'inondation du port de Saint-Goustan",
                 "authors": "Evano, Pierrick", "venue": "La Houille Blanche",
                 "doi": f"{DEMO_DOI_PREFIX}.crue.2025", "hal_id": "hal-09990003",
                 "open_access": "open", "acknowledges_centre": True}),
    ("atlas", 1, {"kind": "preprint", "title": "Production Monte-Carlo sur une grille "
                  "régionale : bilan énergétique", "authors": "Le Meur, Hervé and Quéré, "
                  "Armelle", "arxiv_id": "2501.09999", "open_access": "open"}),
    ("eolien", 1, {"kind": "thesis", "title": "Ancrages d'éoliennes flottantes au large de "
                   "Groix", "authors": "Cadoret, Anaïg", "venue": "Université Bretagne Sud",
                   "hal_id": "tel-09990004", "open_access": "embargoed"}),
]


class OutputSteps:
    """The ``outputs_step`` of :class:`~projects.demo.centre.DemoCentre` (a mixin: it
    reads ``year`` and ``projects``, and counts in ``result.created``)."""

    def outputs_step(self) -> None:
        """Record :data:`DEMO_OUTPUTS` (a second run finds them all and adds nothing)."""
        for key, years_ago, fields in DEMO_OUTPUTS:
            project = self.projects.get(key)
            if project is None:
                continue
            result = research_output_record(
                project=project, data={**fields, "year": self.year - years_ago},
                source=ResearchOutput.Source.DEMO, actor=None, audit=False)
            if result.outcome == ADDED:
                self.result.created["research outputs"] += 1
