"""The Italian and English catalogues are complete, consistent, compiled and loaded by Django.

No database is needed. To fix a failure, from the repository root::

    DJANGO_DEBUG=true .venv/bin/python manage.py makemessages -l it -l en --no-obsolete --no-location \\
        -i ".venv/*" -i "staticfiles/*" -i "scripts/*"
    # translate the new entries of locale/it/LC_MESSAGES/django.po, then
    .venv/bin/python scripts/fill_english_catalogue.py
    .venv/bin/python scripts/compile_messages.py
"""

from __future__ import annotations

import importlib.util
import re
import string
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import polib
import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"
LANGUAGES = ("it", "en")
COMPILE_SCRIPT = ROOT / "scripts" / "compile_messages.py"

# printf-style conversion as Python's % operator reads it: %(name)s, %s, %5.2f, %%...
PERCENT_PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?(?P<conversion>[diouxXeEfFgGcrsa%])"
)
NAMED_BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)[^{}]*\}(?!\})")


def _catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def _catalogue(language: str) -> polib.POFile:
    path = _catalogue_path(language)
    assert path.is_file(), f"{path} is missing: run makemessages"
    return polib.pofile(str(path))


def _label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid


def _percent_placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Named %(…)x placeholders (a set: one name may be used twice) and positional ones (in order)."""
    named: set[str] = set()
    positional: list[str] = []
    for match in PERCENT_PLACEHOLDER.finditer(text):
        if match["conversion"] == "%":
            continue
        if match["name"] is not None:
            named.add(f"{match['name']}:{match['conversion']}")
        else:
            positional.append(match["conversion"])
    return frozenset(named), tuple(positional)


def _brace_placeholders(text: str) -> Counter[str]:
    """Replacement fields of str.format, as read by string.Formatter; '' for an automatic field."""
    fields: Counter[str] = Counter()
    for _literal, field, _spec, _conversion in string.Formatter().parse(text):
        if field is not None:
            fields[field] += 1
    return fields


def _placeholder_problems(entry: polib.POEntry, source: str, translated: str) -> list[str]:
    problems: list[str] = []
    if "python-format" in entry.flags:
        if _percent_placeholders(source) != _percent_placeholders(translated):
            problems.append("python-format placeholders differ")
    elif set(_percent_placeholders(source)[0]) != set(_percent_placeholders(translated)[0]):
        problems.append("named %(…)s placeholders differ")
    if "python-brace-format" in entry.flags:
        try:
            if set(_brace_placeholders(source)) != set(_brace_placeholders(translated)):
                problems.append("python-brace-format placeholders differ")
        except ValueError as error:
            problems.append(f"malformed python-brace-format string: {error}")
    elif set(NAMED_BRACE_PLACEHOLDER.findall(source)) != set(NAMED_BRACE_PLACEHOLDER.findall(translated)):
        problems.append("named {…} placeholders differ")
    return problems


def _load_compile_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("trama_scripts_compile_messages", COMPILE_SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_a_complete_catalogue(language: str) -> None:
    catalogue = _catalogue(language)
    assert len(catalogue) > 0
    assert not catalogue.metadata_is_fuzzy, "the header is marked fuzzy"
    untranslated = [_label(entry) for entry in catalogue.untranslated_entries()]
    fuzzy = [_label(entry) for entry in catalogue.fuzzy_entries()]
    obsolete = [_label(entry) for entry in catalogue.obsolete_entries()]
    assert untranslated == [], f"untranslated in {language}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy}"
    assert obsolete == [], f"obsolete in {language}: {obsolete}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_has_a_proper_header(language: str) -> None:
    metadata = _catalogue(language).metadata
    assert metadata.get("Language") == language
    assert metadata.get("Content-Type") == "text/plain; charset=UTF-8"
    assert metadata.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"


def test_it_has_the_same_messages_in_both_catalogues() -> None:
    def keys(language: str) -> set[tuple[str, str, str]]:
        return {(entry.msgctxt or "", entry.msgid, entry.msgid_plural) for entry in _catalogue(language)}

    only_it = keys("it") - keys("en")
    only_en = keys("en") - keys("it")
    assert not only_it, f"only in the Italian catalogue: {sorted(only_it)}"
    assert not only_en, f"only in the English catalogue: {sorted(only_en)}"


def test_it_translates_english_to_itself() -> None:
    different = []
    for entry in _catalogue("en"):
        if entry.msgid_plural:
            if entry.msgstr_plural != {0: entry.msgid, 1: entry.msgid_plural}:
                different.append(_label(entry))
        elif entry.msgstr != entry.msgid:
            different.append(_label(entry))
    assert different == [], f"English msgstr differs from msgid: {different}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_keeps_the_placeholders_of_every_message(language: str) -> None:
    broken: list[str] = []
    for entry in _catalogue(language).translated_entries():
        if entry.msgid_plural:
            pairs = [
                (entry.msgid if index == 0 else entry.msgid_plural, translated)
                for index, translated in sorted(entry.msgstr_plural.items())
            ]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for source, translated in pairs:
            broken.extend(
                f"{_label(entry)!r} -> {translated!r}: {problem}"
                for problem in _placeholder_problems(entry, source, translated)
            )
    assert broken == [], "\n".join(broken)


def test_it_compares_placeholders_strictly() -> None:
    entry = polib.POEntry(msgid="%(name)s added", msgstr="", flags=["python-format"])
    assert _placeholder_problems(entry, entry.msgid, "%(name)s aggiunto") == []
    assert _placeholder_problems(entry, entry.msgid, "%(nome)s aggiunto") != []
    assert _placeholder_problems(entry, entry.msgid, "%(name)d aggiunto") != []
    assert _placeholder_problems(entry, entry.msgid, "aggiunto") != []
    brace = polib.POEntry(msgid="{count} files", msgstr="", flags=["python-brace-format"])
    assert _placeholder_problems(brace, brace.msgid, "{count} file") == []
    assert _placeholder_problems(brace, brace.msgid, "{conteggio} file") != []
    assert _placeholder_problems(brace, brace.msgid, "{count file") != []


def test_it_has_compiled_catalogues_in_sync() -> None:
    compile_messages = _load_compile_script()
    catalogues = compile_messages.find_catalogues(LOCALE_DIR)
    assert {catalogue.language for catalogue in catalogues} >= set(LANGUAGES)
    stale = compile_messages.out_of_date(LOCALE_DIR)
    assert stale == {}, f"run .venv/bin/python scripts/compile_messages.py: {stale}"


def test_it_loads_the_compiled_catalogues_in_django() -> None:
    with translation.override("it"):
        assert translation.gettext("Sign in") == "Accedi"
        assert translation.ngettext("%(counter)s municipality", "%(counter)s municipalities", 2) == (
            "%(counter)s comuni"
        )
    with translation.override("en"):
        assert translation.gettext("Sign in") == "Sign in"
