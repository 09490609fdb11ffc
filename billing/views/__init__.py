"""Views of billing: documents for organisations; staff pages in ``views/staff/``."""
