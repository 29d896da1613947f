"""Compile every ``locale/*/LC_MESSAGES/django.po`` to its ``.mo`` with polib (no ``msgfmt`` needed).

Like ``msgfmt``, only translated entries go into the ``.mo``: untranslated, fuzzy and obsolete
ones are left out, so Django falls back to the msgid for them. A ``.mo`` already in sync with
its ``.po`` is not rewritten.

``--check`` writes nothing and exits 1 when a ``.mo`` is missing or out of date. "In sync" is
judged on the entries polib reads back from the ``.mo`` compared with the translated entries of
the ``.po`` (plus the header fields gettext uses at run time), not on bytes, so a catalogue whose
only change is makemessages' POT-Creation-Date is not reported.

Re-run from the repository root::

    .venv/bin/python scripts/compile_messages.py            # compile
    .venv/bin/python scripts/compile_messages.py --check    # verify only (CI)
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "locale"
DOMAIN = "django"

# Header fields gettext reads from a .mo at run time: a change to any of them matters.
RUNTIME_METADATA = ("Content-Type", "Language", "Plural-Forms")

EntryKey: TypeAlias = tuple[str | None, str, str]
EntryValue: TypeAlias = tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    po: Path

    @property
    def mo(self) -> Path:
        return self.po.with_suffix(".mo")

    @property
    def language(self) -> str:
        return self.po.parent.parent.name


def find_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Catalogue]:
    """Every ``<locale_dir>/<language>/LC_MESSAGES/django.po``, sorted by path."""
    return [Catalogue(path) for path in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))]


def _entries(entries: list[polib.POEntry] | list[polib.MOEntry]) -> dict[EntryKey, EntryValue]:
    table: dict[EntryKey, EntryValue] = {}
    for entry in entries:
        key = (entry.msgctxt or None, entry.msgid, entry.msgid_plural or "")
        if entry.msgid_plural:
            table[key] = tuple(entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural))
        else:
            table[key] = (entry.msgstr,)
    return table


def _runtime_metadata(metadata: dict[str, str]) -> dict[str, str]:
    return {name: metadata.get(name, "").strip() for name in RUNTIME_METADATA}


def differences(catalogue: Catalogue) -> list[str]:
    """Why ``catalogue.mo`` is out of date with ``catalogue.po``; empty when they are in sync."""
    if not catalogue.mo.is_file():
        return [f"{catalogue.mo} is missing"]
    po = polib.pofile(str(catalogue.po))
    try:
        mo = polib.mofile(str(catalogue.mo))
    except (OSError, ValueError) as error:
        return [f"{catalogue.mo} cannot be read: {error}"]
    problems: list[str] = []
    expected = _entries(po.translated_entries())
    compiled = _entries(list(mo))
    for key in sorted(expected.keys() - compiled.keys(), key=str):
        problems.append(f"not compiled yet: {key[1]!r}")
    for key in sorted(compiled.keys() - expected.keys(), key=str):
        problems.append(f"compiled but no longer translated in the .po: {key[1]!r}")
    for key in sorted(expected.keys() & compiled.keys(), key=str):
        if expected[key] != compiled[key]:
            problems.append(f"translation changed: {key[1]!r}")
    expected_metadata = _runtime_metadata(po.metadata)
    compiled_metadata = _runtime_metadata(mo.metadata)
    for name in RUNTIME_METADATA:
        if expected_metadata[name] != compiled_metadata[name]:
            problems.append(f"header {name} changed: {compiled_metadata[name]!r} -> {expected_metadata[name]!r}")
    return problems


def out_of_date(locale_dir: Path = LOCALE_DIR) -> dict[Path, list[str]]:
    """The ``.mo`` files of ``locale_dir`` that are missing or out of date, with the reasons."""
    stale: dict[Path, list[str]] = {}
    for catalogue in find_catalogues(locale_dir):
        problems = differences(catalogue)
        if problems:
            stale[catalogue.mo] = problems
    return stale


def compile_catalogue(catalogue: Catalogue) -> bool:
    """Write ``catalogue.mo`` if it is out of date; return whether it was written."""
    if not differences(catalogue):
        return False
    polib.pofile(str(catalogue.po)).save_as_mofile(str(catalogue.mo))
    return True


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every catalogue of ``locale_dir``; return the ``.mo`` files written."""
    return [catalogue.mo for catalogue in find_catalogues(locale_dir) if compile_catalogue(catalogue)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a .mo is out of date")
    parser.add_argument("--locale-dir", type=Path, default=LOCALE_DIR, help="default: locale/ at the repository root")
    args = parser.parse_args(argv)

    catalogues = find_catalogues(args.locale_dir)
    if not catalogues:
        print(f"No {DOMAIN}.po under {args.locale_dir}/*/LC_MESSAGES/", file=sys.stderr)
        return 1

    if args.check:
        stale = out_of_date(args.locale_dir)
        for mo, problems in stale.items():
            print(f"{mo}: out of date with its .po ({len(problems)} differences)", file=sys.stderr)
            for problem in problems[:10]:
                print(f"  {problem}", file=sys.stderr)
        if stale:
            print("Run: .venv/bin/python scripts/compile_messages.py", file=sys.stderr)
            return 1
        print(f"{len(catalogues)} catalogues, all .mo files in sync")
        return 0

    for catalogue in catalogues:
        written = compile_catalogue(catalogue)
        print(f"{catalogue.mo}: {'compiled' if written else 'already in sync'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
