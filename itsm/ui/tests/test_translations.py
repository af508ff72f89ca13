"""The shipped zh-Hans catalogue is complete and its compiled .mo matches the .po."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
DOMAINS = ["django", "djangojs"]


def parse_po(path: Path) -> list[dict]:
    """A tiny .po reader: entries with msgid, msgid_plural, msgstr[n] and flags."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def finish():
        if "msgid" in entry:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            key = None
            continue
        if line.startswith("#,"):
            if "msgid" in entry:
                finish()
            entry["flags"] = {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        word, _space, rest = line.partition(" ")
        if word == "msgid" and "msgid" in entry:
            finish()
        key = word
        entry[key] = ast.literal_eval(rest)
    finish()
    return entries


def catalogues():
    return [
        LOCALE / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po"
        for domain in DOMAINS
        if (LOCALE / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po").exists()
    ]


def test_django_catalogue_exists():
    assert (LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po").exists()
    assert (LOCALE / "en" / "LC_MESSAGES" / "django.po").exists()


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: p.name)
def test_every_zh_hans_message_is_translated(po):
    entries = [e for e in parse_po(po) if e["msgid"]]  # the header has an empty msgid
    assert entries, f"{po} has no messages"
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", ())]
    empty = [
        e["msgid"]
        for e in entries
        if any(not value for name, value in e.items() if name.startswith("msgstr"))
    ]
    assert fuzzy == [], f"fuzzy entries in {po}"
    assert empty == [], f"untranslated entries in {po}"


@pytest.mark.parametrize("po", catalogues(), ids=lambda p: p.name)
def test_compiled_catalogue_matches_the_po(po):
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in parse_po(po):
        if not entry["msgid"]:
            continue
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = (
                compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], 1)
                if context
                else compiled.ngettext(entry["msgid"], entry["msgid_plural"], 1)
            )
            want = entry["msgstr[0]"]
        else:
            got = (
                compiled.pgettext(context, entry["msgid"])
                if context
                else compiled.gettext(entry["msgid"])
            )
            want = entry["msgstr"]
        if got != want:
            stale.append(entry["msgid"])
    assert stale == [], f"{mo} is older than {po}: run compilemessages"
