"""Research outputs, a world of their own: what the projects' computing produced
(publications, data sets, software) and how open it is — everything about them but the
model (``projects.models.ResearchOutput``) and the yearly reminder task
(``projects.tasks.send_outputs_reminders``).

- ``identifiers``: DOI, HAL id, arXiv id and SWHID checked and normalised;
- ``selectors``: a project's outputs, the outputs of a period (the renewal's activity
  report), the counts by kind and year with the open-access and HAL shares (reports,
  public statistics), the staff list's filters, the projects to remind;
- ``services``: the three ways in — ``manual`` (the form, and the one recording service
  every way goes through), ``bibtex`` (a BibTeX file), ``hal`` (HAL's search API) — and
  ``reminders``;
- ``forms``, ``views``, ``urls``: the outputs section of the project page, the BibTeX
  upload, the HAL import and the staff's list (namespace ``projects:outputs``).
"""
