"""Collect, update and compile the message catalogues (gettext, with Babel's standard tools).

    python tools/translations.py            # extract checkup.pot, update every .po, make the
                                            # pseudo-locales, compile every .mo
    python tools/translations.py --check    # fail if a .pot/.po/.mo is not current

The English source words live where they are written; this collects them all:
- ``checks/texts/en.yaml``: each string, with its dotted YAML path as context;
- ``app/gui/words.py``: each UPPER_CASE string (context: its name; dict entries NAME.key);
- ``app/data/session_questions.yaml`` and ``app/data/support.yaml``: their words;
- every ``_()``, ``N_()``, ``NP_()``, ``NNP_()``, ``pgettext()``, ``ngettext()`` and ``npgettext()``
  call in app/, checks/ and signatures/ (argparse's own words: app/cli.py, context "argparse";
  signature file problems: signatures/loader.py).
- ``signatures/data/*.yaml``: each family's description (context "product description"), with
  the families that use it as a comment; importers write theirs into these files.
The same thing can be done by hand: ``pybabel update -i checks/locale/checkup.pot -d
checks/locale -D checkup`` and ``pybabel compile -d checks/locale -D checkup``.
"""
from __future__ import annotations

import argparse
import datetime
import ast
import io
import re
import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "checks" / "locale"
POT = LOCALE / "checkup.pot"
LANGUAGES = ["pl"]          # real translations, edited by people
PSEUDO = ["xx", "yy"]       # made here from the template, for tests
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "NP_": ((1, "c"), 2), "NN_": (1, 2),
            "NNP_": ((1, "c"), 2, 3)}
# support.yaml: the words; numbers, addresses and sources stay data.
SUPPORT_WORDS = {"before", "emergency_note", "name", "intro", "what", "note", "number"}


def _yaml_strings(node, context, keep=None):
    if isinstance(node, str):
        # A phone number is data; one with words in it ("999, then press 55") has words to say.
        if not (context.endswith(".number") and not any(c.isalpha() for c in node)):
            yield context, node
    elif isinstance(node, dict):
        for k, v in node.items():
            if keep is not None and not isinstance(v, (dict, list)) and k not in keep:
                continue
            if keep is not None and k == "sources":
                continue
            yield from _yaml_strings(v, f"{context}.{k}" if context else str(k), keep)
    elif isinstance(node, list):
        for v in node:
            yield from _yaml_strings(v, context, keep)


def _words_py(path: Path):
    tree = ast.parse(path.read_text("utf-8"))
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
            continue
        name = stmt.targets[0].id
        if not name.isupper() or name.startswith("_"):
            continue
        value = stmt.value
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
            yield stmt.lineno, name, value.value
        elif isinstance(value, ast.Dict):
            for k, v in zip(value.keys, value.values):
                if isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and isinstance(v.value, str) and v.value:
                    yield stmt.lineno, f"{name}.{k.value}", v.value


def _source_words(folder: Path):
    """What each source and check says it looks at: ``what = "…"`` and ``what="…"`` (the
    engine shows them through the catalogue, checks/engine.py). f-strings can't be, and stay English."""
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            value = None
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "what" for t in node.targets):
                value = node.value
            elif isinstance(node, ast.keyword) and node.arg == "what":
                value = node.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
                yield f"{path.relative_to(ROOT)}", node.lineno if hasattr(node, "lineno") else 0, value.value


DESCRIPTION_CONTEXT = "product description"   # checks/texts.py: DESCRIPTION_CONTEXT
ON_A_LAPTOP = " On a laptop,"                  # checks/texts.py: ON_A_LAPTOP
SIGNATURE_DATA = ROOT / "signatures" / "data"


def _family_descriptions(folder: Path = SIGNATURE_DATA):
    """Each distinct description of the built-in families, as (text, comment, files): the data
    files are where every built-in description is written, by people (curated) or importers
    (Echap, LOLRMM). A phone app's description also gives its phone form, without the sentence
    about what a laptop can show (checks/texts.py: description)."""
    users: dict[str, tuple[set, list, list]] = {}      # text → (files, names, how it is shown)
    for path in sorted(folder.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text("utf-8")) or {}
        for fam in doc.get("families") or []:
            text = str(fam.get("description") or "").strip()
            if not text:
                continue
            name = str(fam.get("name") or fam.get("id"))
            forms = [(text, "")]
            if ON_A_LAPTOP in text:
                forms.append((text.split(ON_A_LAPTOP)[0], "on a phone, without the sentence about laptops; "))
            for form, how in forms:
                files, names, hows = users.setdefault(form, (set(), [], []))
                files.add(path.name)
                names.append(name)
                if how not in hows:
                    hows.append(how)
    for text, (files, names, hows) in users.items():
        listed = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        comment = f"What a known product is ({''.join(hows)}{', '.join(sorted(files))}): {listed}"
        yield text, [comment], sorted(files)


def template() -> Catalog:
    cat = Catalog(project="Device Checkup", version="0.1", domain="checkup", charset="utf-8", fuzzy=False,
                  copyright_holder="Device Checkup contributors")
    en_yaml = ROOT / "checks" / "texts" / "en.yaml"
    for ctx, msg in _yaml_strings(yaml.safe_load(en_yaml.read_text("utf-8")), ""):
        cat.add(msg, context=ctx, locations=[("checks/texts/en.yaml", 0)])
    for line, ctx, msg in _words_py(ROOT / "app" / "gui" / "words.py"):
        cat.add(msg, context=ctx, locations=[("app/gui/words.py", line)])
    questions = yaml.safe_load((ROOT / "app" / "data" / "session_questions.yaml").read_text("utf-8"))
    for q in questions["questions"]:
        cat.add(q["ask"], context=f"questions.{q['id']}", locations=[("app/data/session_questions.yaml", 0)])
    support = yaml.safe_load((ROOT / "app" / "data" / "support.yaml").read_text("utf-8"))
    for ctx, msg in _yaml_strings(support, "support", keep=SUPPORT_WORDS):
        cat.add(msg, context=ctx, locations=[("app/data/support.yaml", 0)])
    for message, comments, files in _family_descriptions():
        cat.add(message, context=DESCRIPTION_CONTEXT, auto_comments=comments,
                locations=[(f"signatures/data/{f}", 0) for f in files])
    for filename, line, message in _source_words(ROOT / "checks"):
        cat.add(message, locations=[(filename, line)])
    for folder in ("app", "checks", "signatures"):      # signatures: N_() marks (signatures/words.py)
        for filename, line, message, comments, context in extract_from_dir(
                ROOT / folder, method_map=[("**/gui/words.py", "ignore"), ("**.py", "python")], keywords=KEYWORDS):
            if isinstance(message, tuple):
                if message[1] is None:
                    message = message[0]
                elif not all(message):
                    continue
            if not message or (folder == "app" and filename == "gui/words.py"):
                continue
            cat.add(message, context=context, locations=[(f"{folder}/{filename}", line)])
    return cat


def _dump_po(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_po(buf, cat, width=100, omit_header=False, sort_output=True, no_location=True)
    return buf.getvalue()


def _dump_mo(cat: Catalog) -> bytes:
    buf = io.BytesIO()
    write_mo(buf, cat, use_fuzzy=False)
    return buf.getvalue()


def _stable(cat: Catalog) -> Catalog:
    # No dates in the files: the same words give the same bytes (the "current" test compares).
    fixed = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cat.creation_date = cat.revision_date = fixed
    return cat


_PRINTF = re.compile(r"%(\([A-Za-z_]+\))?[srd%]")


def pseudo(message: str, rtl: bool) -> str:
    """⟦Ŵöŕðś⟧ with placeholders ({name}, and argparse's %(name)s and %s), accelerators (&x)
    and markup kept as they are.

    A message that is one placeholder and nothing else ("{description}") has no words of its
    own: it stays as it is, so what fills it shows whether it came from the catalogue (a
    product's description, a shared sentence) instead of being hidden inside brackets."""
    if re.fullmatch(r"\{[A-Za-z_]+\}", message):
        return message
    table = str.maketrans("aceinorsuyAEIOUSCNwW", "àçëîñöŕšûýÀÉÎÖÛŠÇÑŵŴ")
    out, i = [], 0
    while i < len(message):
        ch = message[i]
        printf = _PRINTF.match(message, i)
        if printf:
            out.append(printf.group(0)); i = printf.end(); continue
        if ch == "{":
            end = message.find("}", i)
            if end != -1:
                out.append(message[i:end + 1]); i = end + 1; continue
        if ch == "&" and i + 1 < len(message):
            out.append(message[i:i + 2]); i += 2; continue
        if ch == "<":
            end = message.find(">", i)
            if end != -1:
                out.append(message[i:end + 1]); i = end + 1; continue
        out.append(ch.translate(table)); i += 1
    body = "".join(out)
    if rtl:
        # A right-to-left letter first (Hebrew alef) makes each paragraph right-to-left, as in
        # Arabic or Hebrew. Not the bidi control characters: the app shows those as visible
        # escapes, as it does for any name the machine supplies (checks/inert.py).
        body = "\u05d0 " + body
    return "⟦" + body + "⟧"


def _words_of(path: Path, data: bytes):
    """What a catalogue says, without the bytes another Babel version may lay out differently."""
    if path.suffix == ".mo":
        import gettext
        return {k: v for k, v in gettext.GNUTranslations(io.BytesIO(data))._catalog.items() if k != ""}
    cat = read_po(io.BytesIO(data))
    return {(m.context, m.id if isinstance(m.id, str) else tuple(m.id)):
            (m.string if isinstance(m.string, str) else tuple(m.string), m.fuzzy) for m in cat if m.id}


def _same_words(path: Path, data: bytes) -> bool:
    return _words_of(path, path.read_bytes()) == _words_of(path, data)


def build(check: bool = False) -> list[str]:
    """Write (or, with check, compare) the template, catalogues and compiled files."""
    stale: list[str] = []

    def put(path: Path, data: bytes) -> None:
        if path.is_file() and (path.read_bytes() == data or (check and _same_words(path, data))):
            return
        stale.append(str(path.relative_to(ROOT)))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    pot = _stable(template())
    put(POT, _dump_po(pot))
    for code in LANGUAGES + PSEUDO:
        po_path = LOCALE / code / "LC_MESSAGES" / "checkup.po"
        if code in PSEUDO:
            cat = Catalog(locale=None, domain="checkup", charset="utf-8")
            cat.language_team = code
            for m in pot:
                if m.id:
                    if isinstance(m.id, (list, tuple)):
                        string = tuple(pseudo(part, code == "yy") for part in m.id)
                    else:
                        string = pseudo(m.id, code == "yy")
                    cat.add(m.id, string, context=m.context)
        else:
            if po_path.is_file():
                with po_path.open("rb") as f:
                    cat = read_po(f, locale=code)
            else:
                cat = Catalog(locale=code, domain="checkup", charset="utf-8")
            cat.update(pot, no_fuzzy_matching=True, update_header_comment=False)
            # Messages removed from the source stay as obsolete in the file; drop them.
            cat.obsolete.clear()
        _stable(cat)
        put(po_path, _dump_po(cat))
        put(po_path.with_suffix(".mo"), _dump_mo(cat))
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if any catalogue is not current")
    args = parser.parse_args(argv)
    stale = build(check=args.check)
    for name in stale:
        print(("not current: " if args.check else "wrote ") + name)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
