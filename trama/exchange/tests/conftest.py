from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_media(settings: object, tmp_path: Path) -> None:
    """Uploaded files and reports go to a temporary directory, not the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
