"""Writes of the API app."""
