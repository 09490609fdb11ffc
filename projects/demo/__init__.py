"""Demonstration data for a local portal: the accounts, fees and example catalogue of
``manage.py demo_data`` (``data``), and the demonstration centre of ``manage.py
demo_centre``, a believable association whose projects compute on real, public accounting
traces (``centre`` and the steps it runs: ``people``, ``organisations``, ``projects``,
``traces``, ``reports``)."""
