"""Reads of billing: the association's identity, invoices, usage to invoice, quotes."""
