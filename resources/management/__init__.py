"""Management commands of the resources app."""
