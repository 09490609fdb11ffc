"""Writes of billing: invoices and credit notes, payments, quotes, documents, exports."""
