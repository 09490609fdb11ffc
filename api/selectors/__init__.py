"""Reads of the API app."""
