"""Staff pages of billing: invoices, payments, credit notes, quotes, exports."""
