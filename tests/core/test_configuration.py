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


def test_french_catalogue_is_complete():
    """Every interface string has a French translation, none of them fuzzy."""
    text = (BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text()
    untranslated = []
    for entry in text.split("\n\n")[1:]:  # the first entry is the header
        if "#, fuzzy" in entry:
            untranslated.append(entry)
            continue
        if re.search(r'^msgstr(?:\[\d\])? ""\n(?!")', entry + "\n", flags=re.M):
            untranslated.append(entry)
    assert untranslated == []
    mo = BASE_DIR / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    assert mo.exists()
