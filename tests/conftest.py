import os

import pytest
from hypothesis import settings as hypothesis_settings

hypothesis_settings.register_profile("ci", deadline=None)
hypothesis_settings.load_profile("ci")


@pytest.fixture
def write_csv(tmp_path):
    """Write a CSV file from a header and rows of text; returns its path."""

    def write(name: str, text: str):
        path = tmp_path / name
        path.write_text(text.strip() + "\n", encoding="utf-8")
        return path

    return write


os.environ.setdefault("ATTEND_TESTING", "1")
