"""Reads of the training app shared by its views, tasks and registries."""
