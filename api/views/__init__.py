"""Views of the API, by subject; the token pages of the profile in :mod:`.tokens`."""
