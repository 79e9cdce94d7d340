#!/usr/bin/env python3
"""Check translations of account_debtor_collection against the .pot template.

For every .po file, report the messages of the .pot that are

* missing: not in the .po at all;
* untranslated: in the .po with an empty msgstr, or marked fuzzy;
* mismatched: the msgstr does not keep the placeholders of the msgid
  (``%(name)s``, ``%s``, ``%d``, ``{{ ... }}``) or its HTML/QWeb tags, with
  their attributes (``t-out``, ``t-if``, ``style``...), the same number of
  times each.

Messages of the .po that are no longer in the .pot are listed for
information only. The exit status is 1 when any .po has a missing,
untranslated or mismatched message, 2 on a usage or parse error, else 0.

Usage:
    po_merge_check.py                      # i18n/*.pot against i18n/*.po
    po_merge_check.py TEMPLATE.pot [FILE.po ...]

Standard library only, so that it runs with any Python 3.10+ (no polib).
"""

import argparse
import glob
import os
import re
import sys
from collections import Counter

PLACEHOLDER_RE = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}", re.DOTALL)
TAG_RE = re.compile(r"<[^<>]+>")
# Attributes whose values are human text, translated with the term: a tag is
# compared without their values.
TRANSLATED_ATTRIBUTE_RE = re.compile(
    r"""\b(title|alt|placeholder|aria-label|string|help)=("[^"]*"|'[^']*')"""
)
ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
ESCAPE_RE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))", re.DOTALL)
KEYWORD_RE = re.compile(
    r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$"
)


class PoError(Exception):
    pass


def _unescape(match):
    octal, hexa, char = match.groups()
    if octal:
        return chr(int(octal, 8))
    if hexa:
        return chr(int(hexa, 16))
    return ESCAPES.get(char, "\\" + char)


def _unquote(text, path, lineno):
    text = text.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoError(f"{path}:{lineno}: expected a quoted string, got {text!r}")
    return ESCAPE_RE.sub(_unescape, text[1:-1])


class Entry:
    __slots__ = ("msgctxt", "msgid", "msgid_plural", "msgstr", "flags", "lineno")

    def __init__(self, lineno):
        self.msgctxt = None
        self.msgid = None
        self.msgid_plural = None
        self.msgstr = {}  # index (0 when not plural) -> text
        self.flags = set()
        self.lineno = lineno

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self):
        return "fuzzy" in self.flags

    @property
    def translated(self):
        return bool(self.msgstr) and all(self.msgstr.values()) and not self.fuzzy


def parse_po(path):
    """Return the entries of a .po/.pot file, obsolete ones (#~) left out.

    The header (empty msgid) is left out too.
    """
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    entries = []
    current = None
    field = None  # (name, index) that continuation lines extend
    pending_flags = set()

    def finish():
        nonlocal current, field
        if current is not None:
            if current.msgid is None:
                raise PoError(f"{path}:{current.lineno}: entry without msgid")
            if current.msgid != "" or current.msgctxt is not None:
                entries.append(current)
        current, field = None, None

    for lineno, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            finish()  # obsolete entries are not translations
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()  # comments start the next entry
            if line.startswith("#,"):
                pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith('"'):
            if current is None or field is None:
                raise PoError(f"{path}:{lineno}: string outside an entry")
            text = _unquote(line, path, lineno)
            name, index = field
            if name == "msgstr":
                current.msgstr[index] += text
            else:
                setattr(current, name, getattr(current, name) + text)
            continue
        match = KEYWORD_RE.match(line)
        if not match:
            raise PoError(f"{path}:{lineno}: cannot parse {raw!r}")
        keyword, quoted = match.groups()
        text = _unquote(quoted, path, lineno)
        if (
            keyword in ("msgctxt", "msgid")
            and current is not None
            and (current.msgstr or (keyword == "msgid" and current.msgid is not None))
        ):
            finish()
        if current is None:
            current = Entry(lineno)
            current.flags, pending_flags = pending_flags, set()
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstr[index] = text
            field = ("msgstr", index)
        else:
            setattr(current, keyword, text)
            field = (keyword, None)
    finish()

    seen = {}
    for entry in entries:
        if entry.key in seen:
            raise PoError(
                f"{path}:{entry.lineno}: duplicate of the message at line "
                f"{seen[entry.key]}: {entry.msgid[:60]!r}"
            )
        seen[entry.key] = entry.lineno
    return entries


def markup(text):
    """The placeholders and HTML tags of a text, each with its count."""
    tags = (TRANSLATED_ATTRIBUTE_RE.sub(r"\1=…", tag) for tag in TAG_RE.findall(text))
    return Counter(PLACEHOLDER_RE.findall(text)), Counter(tags)


def _diff(what, source, target):
    lost = sorted((source - target).elements())
    added = sorted((target - source).elements())
    parts = []
    if lost:
        parts.append("missing " + ", ".join(lost))
    if added:
        parts.append("unexpected " + ", ".join(added))
    return f"{what}: " + "; ".join(parts) if parts else ""


def markup_diff(source, translation):
    """What the translation loses or adds of the source's markup ("" if none)."""
    (src_ph, src_tags), (dst_ph, dst_tags) = markup(source), markup(translation)
    diffs = (_diff("placeholders", src_ph, dst_ph), _diff("tags", src_tags, dst_tags))
    return "; ".join(d for d in diffs if d)


def mismatches(entry):
    """Sentences describing the placeholders/tags a translation does not keep."""
    problems = []
    sources = (
        [entry.msgid]
        if entry.msgid_plural is None
        else [entry.msgid, entry.msgid_plural]
    )
    for index, text in sorted(entry.msgstr.items()):
        if not text:
            continue
        # With plural forms, a translation keeps the markup of one of the two.
        diffs = []
        for source in sources:
            diff = markup_diff(source, text)
            if not diff:
                break
            diffs.append(diff)
        else:
            label = f"msgstr[{index}]" if entry.msgid_plural is not None else "msgstr"
            problems.append(f"{label}: {diffs[0]}")
    return problems


def short(entry, width=70):
    text = entry.msgid.replace("\n", "\\n")
    if len(text) > width:
        text = text[: width - 3] + "..."
    ctx = f"[{entry.msgctxt}] " if entry.msgctxt is not None else ""
    return f"{ctx}{text!r}"


def check(pot_entries, po_path):
    """Print the report of one .po file; return the number of problems."""
    po_entries = {e.key: e for e in parse_po(po_path)}
    missing, untranslated, fuzzy, mismatched = [], [], [], []
    for pot_entry in pot_entries:
        entry = po_entries.get(pot_entry.key)
        if entry is None:
            missing.append(pot_entry)
        elif entry.fuzzy:
            fuzzy.append(entry)
        elif not entry.translated:
            untranslated.append(entry)
        else:
            problems = mismatches(entry)
            if problems:
                mismatched.append((entry, problems))
    pot_keys = {e.key for e in pot_entries}
    obsolete = [e for key, e in po_entries.items() if key not in pot_keys]

    total = len(pot_entries)
    done = total - len(missing) - len(untranslated) - len(fuzzy)
    count = len(missing) + len(untranslated) + len(fuzzy) + len(mismatched)
    print(
        f"{po_path}: {done}/{total} translated, {len(missing)} missing, "
        f"{len(untranslated)} untranslated, {len(fuzzy)} fuzzy, "
        f"{len(mismatched)} placeholder/tag mismatches, "
        f"{len(obsolete)} not in the template" + (" -> FAILED" if count else " -> ok")
    )
    for entry in missing:
        print(f"  missing:      {short(entry)}")
    for entry in untranslated:
        print(f"  untranslated: {short(entry)} (line {entry.lineno})")
    for entry in fuzzy:
        print(f"  fuzzy:        {short(entry)} (line {entry.lineno})")
    for entry, problems in mismatched:
        print(f"  mismatch:     {short(entry)} (line {entry.lineno})")
        for problem in problems:
            print(f"                {problem}")
    for entry in obsolete:
        print(f"  (info) not in the template: {short(entry)} (line {entry.lineno})")
    return count


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Report .pot messages missing, untranslated or with "
        "placeholder mismatches in .po files; exit 1 if any."
    )
    parser.add_argument(
        "pot", nargs="?", help="the .pot template (default: the addon's i18n/*.pot)"
    )
    parser.add_argument(
        "po", nargs="*", help=".po files (default: the .po files next to the template)"
    )
    args = parser.parse_args(argv)

    pot = args.pot
    if pot is None:
        i18n = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "i18n")
        pots = sorted(glob.glob(os.path.join(os.path.normpath(i18n), "*.pot")))
        if len(pots) != 1:
            parser.error(f"expected one .pot in {i18n}, found {len(pots)}")
        pot = os.path.relpath(pots[0])
    po_files = args.po or sorted(glob.glob(os.path.join(os.path.dirname(pot), "*.po")))
    if not po_files:
        print(f"no .po files to check next to {pot}")
        return 0
    try:
        pot_entries = parse_po(pot)
        failed = 0
        for po_path in po_files:
            failed += bool(check(pot_entries, po_path))
    except (OSError, UnicodeDecodeError, PoError) as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 2
    print(
        f"{len(po_files) - failed} of {len(po_files)} .po file(s) complete "
        f"against {pot} ({len(pot_entries)} messages)"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
