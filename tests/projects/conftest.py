"""Fixtures shared by the project tests, built on the factories (``tests/factories.py``)."""

import pytest

from .usage_helpers import make_project, make_resources


@pytest.fixture
def project(organisation):
    """The active project HOULE (Slurm account ``houle``) of ``organisation`` over this
    year and the next, whose PI is its representative: plain rows, see
    :func:`usage_helpers.make_project`.

    The modules that need another project define their own ``project``: the one
    ``project_create`` makes (test_request_services, test_project_views) or a three-year
    draft with a manager and a member (test_request_views).
    """
    return make_project(organisation)


@pytest.fixture
def resources(db):
    """A CPU and a GPU resource on partitions of the usage tests' cluster: ``(cpu, gpu)``."""
    return make_resources()
