import pytest

from northstar.test import Personas, build_personas


@pytest.fixture
def personas(db) -> Personas:
    return build_personas()
