"""Where the public sample files live. Tests read them in place and never copy them into the project.

They sit in ``../shared/samples`` beside the repository (CI always has it); set
TRELLIS_SAMPLES to use another folder. Without them the tests that need them skip.
"""

import os
from pathlib import Path

import pytest

SAMPLES = Path(os.environ.get("TRELLIS_SAMPLES", Path(__file__).resolve().parents[1].parent / "shared" / "samples"))


def sample_path(*parts) -> Path:
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"sample files not found at {path} (clone beside ../shared or set TRELLIS_SAMPLES)")
    return path
