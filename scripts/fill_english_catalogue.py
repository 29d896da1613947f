"""Fill the English catalogue: every msgstr becomes its own msgid.

Trama's msgids are written in English, so ``locale/en/LC_MESSAGES/django.po`` translates each
string to itself. Run after ``makemessages``; it fills untranslated entries only (``msgstr =
msgid``, ``msgstr[0] = msgid``, ``msgstr[1] = msgid_plural``), clears every fuzzy flag in the
file and sets a proper header. Entries already translated are left alone, so running it twice
changes nothing.

Re-run from the repository root::

    DJANGO_DEBUG=true .venv/bin/python manage.py makemessages -l it -l en --no-obsolete --no-location \\
        -i ".venv/*" -i "staticfiles/*" -i "scripts/*"
    .venv/bin/python scripts/fill_english_catalogue.py
    .venv/bin/python scripts/compile_messages.py
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
ENGLISH_CATALOGUE = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"

HEADER_COMMENT = (
    "English catalogue of Trama: msgids are English, so every msgstr repeats its msgid.\n"
    "This file is distributed under the same licence as Trama (AGPL-3.0-or-later)."
)
METADATA = {
    "Language": "en",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=2; plural=(n != 1);",
}
# makemessages writes these placeholders into a new catalogue's header.
PLACEHOLDER_METADATA: dict[str, tuple[str, str]] = {
    "Project-Id-Version": ("PACKAGE VERSION", "Trama"),
    "Last-Translator": ("FULL NAME <EMAIL@ADDRESS>", "Trama <noreply@trama.invalid>"),
    "Language-Team": ("LANGUAGE <LL@li.org>", "English"),
}


def _unfuzz(entry: polib.POEntry) -> bool:
    """Drop the fuzzy flag and the previous-msgid comments msgmerge attaches to it."""
    if "fuzzy" not in entry.flags:
        return False
    entry.flags.remove("fuzzy")
    entry.previous_msgctxt = None
    entry.previous_msgid = None
    entry.previous_msgid_plural = None
    return True


def _fill_entry(entry: polib.POEntry) -> bool:
    """Make an untranslated or fuzzy ``entry`` translate to itself. Return whether it changed."""
    was_fuzzy = _unfuzz(entry)
    if not was_fuzzy and entry.translated():
        return False
    if entry.msgid_plural:
        wanted = {0: entry.msgid, 1: entry.msgid_plural}
        if entry.msgstr_plural != wanted:
            entry.msgstr_plural = wanted
            return True
    elif entry.msgstr != entry.msgid:
        entry.msgstr = entry.msgid
        return True
    return was_fuzzy


def _fix_header(catalogue: polib.POFile) -> bool:
    changed = False
    if catalogue.metadata_is_fuzzy:
        catalogue.metadata_is_fuzzy = False
        changed = True
    if not catalogue.header.strip() or catalogue.header.startswith("SOME DESCRIPTIVE TITLE"):
        catalogue.header = HEADER_COMMENT
        changed = True
    metadata = catalogue.metadata
    for key, value in METADATA.items():
        if metadata.get(key) != value:
            metadata[key] = value
            changed = True
    for key, (placeholder, value) in PLACEHOLDER_METADATA.items():
        if metadata.get(key, placeholder) == placeholder:
            metadata[key] = value
            changed = True
    # A catalogue makemessages has just created carries no real revision date; saving stamps one.
    return changed or metadata.get("PO-Revision-Date", "YEAR-MO-DA HO:MI+ZONE") == "YEAR-MO-DA HO:MI+ZONE"


def _stamp_revision_date(catalogue: polib.POFile) -> None:
    catalogue.metadata["PO-Revision-Date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")


def fill_english_catalogue(path: Path = ENGLISH_CATALOGUE) -> int:
    """Fill ``path`` in place; return the number of entries changed (0 when already complete)."""
    catalogue = polib.pofile(str(path), wrapwidth=79)
    changed_entries = sum(_fill_entry(entry) for entry in catalogue if not entry.obsolete)
    header_changed = _fix_header(catalogue)
    if changed_entries or header_changed:
        _stamp_revision_date(catalogue)
        catalogue.save(str(path))
    return changed_entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=ENGLISH_CATALOGUE, help="catalogue to fill")
    args = parser.parse_args(argv)
    if not args.path.is_file():
        print(f"{args.path}: not found; run makemessages first", file=sys.stderr)
        return 1
    changed = fill_english_catalogue(args.path)
    print(f"{args.path}: {changed} entries filled")
    return 0


if __name__ == "__main__":
    sys.exit(main())
