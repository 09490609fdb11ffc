"""Every environment variable the settings read is documented in .env.example."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def test_every_environment_variable_is_documented():
    read = set()
    for path in (BASE_DIR / "algoric" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (BASE_DIR / ".env.example")
                                .read_text(), flags=re.M))
    assert read, "no variable found: the pattern is out of date"
    assert read - documented == set()
