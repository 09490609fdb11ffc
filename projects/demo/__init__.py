"""The demonstration centre of ``manage.py demo_centre``: a believable association whose
projects compute on real, public accounting traces (see ``centre`` and ``traces``)."""
