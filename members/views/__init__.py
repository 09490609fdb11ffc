"""Views of the members app, by subject."""
