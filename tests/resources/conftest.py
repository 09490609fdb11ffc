"""Fixtures shared by the resource tests, built on the factories (``tests/factories.py``)."""

import pytest

from ..factories import ClusterFactory


@pytest.fixture
def cluster(db):
    """The cluster ``breizh``, whose made-up accounting lines the tests upload and push."""
    return ClusterFactory(name="breizh")
