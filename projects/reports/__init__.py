"""Yearly usage reports: what a report says (``content``), how it is built for a project
(``project``) or the whole centre (``centre``), and how it is written as PDF, CSV and XLSX
(``render``)."""
