"""Sample catalogues shipped with the package: `sample.csv` imports cleanly; `sample_with_errors.csv` shows
what a seller is told about bad rows."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLE = "sample.csv"
SAMPLE_WITH_ERRORS = "sample_with_errors.csv"


def path(name: str = SAMPLE) -> Path:
    """The file system path of a shipped sample catalogue."""
    return Path(str(resources.files(__name__).joinpath(name)))
