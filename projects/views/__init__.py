"""Views of the projects app, by subject."""
