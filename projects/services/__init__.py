"""Writes of the projects app: projects and their people, resource requests, allocations."""
