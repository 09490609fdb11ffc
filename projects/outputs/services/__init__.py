"""Every write of research outputs: ``manual`` (checking an output's fields and the one
recording service every way in goes through, unlinking), ``bibtex`` (a BibTeX file),
``hal`` (HAL's search API), ``imports`` (an import from HAL, run by a worker) and
``reminders`` (the yearly reminder to PIs)."""
