from __future__ import annotations

import pytest

from tests.e2e.sandbox import missing_prerequisite
from tests.support.services import unavailable


@pytest.fixture
def sandbox_possible() -> None:
    """The Asterisk sandbox can run here (root, debootstrap, SIPp): else skip, or fail under
    CI=true."""
    reason = missing_prerequisite()
    if reason is not None:
        unavailable(reason)
