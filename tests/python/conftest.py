import os
import sys

# Tests import the installed package; tools/dev.sh users point PYTHONPATH at their build.
sys.path.insert(0, os.path.dirname(__file__))

import pytest  # noqa: E402
import torch  # noqa: E402


@pytest.fixture(autouse=True)
def _seed_torch():
    """Each test draws its random inputs from torch's generator seeded alike, so a test sees the
    same inputs whatever ran before it (on whichever xdist worker)."""
    torch.manual_seed(0)
