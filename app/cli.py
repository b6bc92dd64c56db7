"""The `checkup` command: no arguments opens the app; `checkup scan` and friends run in a terminal.

This module never imports Qt (the app is imported only when it is opened), so a scan from the
command line starts quickly and works where no screen is available.

Exit codes: 0 the command did its work (whatever a scan found); 1 signature files have
problems (`signatures validate`); 2 bad arguments; 3 unreadable input (a snapshot, a folder).
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import sys
from typing import Sequence

from device_checkup.checks import i18n
from device_checkup.checks.i18n import NNP_, NP_, _, pgettext
from device_checkup.checks.inert import shown

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3


class UsageError(Exception):
    pass


class InputError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, then exit 2
        raise UsageError(message)


# -- the language, before any word is said -----------------------------------------------------
# The parser's words (descriptions, help, metavars) and argparse's own ("usage:", "options:",
# "show this help message and exit", its error messages) are made when the parser is built and
# used, so the language must be known first. A small pre-parse finds it: ``--lang CODE`` or
# ``--lang=CODE`` (or an abbreviation argparse would also take, such as ``--la``), wherever it
# stands before a lone ``--``; the last one given wins, as in argparse. The full parser then
# accepts ``--lang`` on every command too, so it is checked and shown in every ``--help``.
# The language is chosen only by ``--lang``, as everywhere in the command line and the app: not
# from the environment (LANG, LC_ALL), and never saved. Without it the words are English.
LANG_OPTION = "--lang"


def language_asked(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """The language code given with ``--lang`` (None if none was), and ``argv`` without it."""
    code, rest, i = None, [], 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest += argv[i:]
            break
        name, eq, value = arg.partition("=")
        if len(name) >= 3 and LANG_OPTION.startswith(name):
            if eq:
                code = value
            elif i + 1 < len(argv) and not argv[i + 1].startswith("-"):
                code = argv[i + 1]
                i += 1
            else:                                   # no value: the parser will say so
                rest.append(arg)
            i += 1
            continue
        rest.append(arg)
        i += 1
    return code, rest


@contextlib.contextmanager
def argparse_in_our_words():
    """argparse's own words from our catalogue (context "argparse") while the parser is built,
    parses and prints help. argparse calls its module globals ``_`` and ``ngettext`` (bound by
    ``from gettext import gettext as _, ngettext``, Python 3.11 to 3.14) each time it says
    something; they are swapped for ours here and put back after, so nothing else in the process
    (pytest's own argparse, for one) is changed. The words are listed in ``ARGPARSE_WORDS``."""
    saved = argparse._, argparse.ngettext
    argparse._ = lambda message: pgettext("argparse", message) if message else message
    argparse.ngettext = lambda singular, plural, n: i18n.npgettext("argparse", singular, plural, n)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


# What argparse can say to a person using this command (tools/translations.py collects them;
# tests/test_cli_words.py fails when the running Python's argparse says something not listed
# here or among the messages it keeps for programming mistakes).
ARGPARSE_WORDS = (
    NP_("argparse", "usage: "), NP_("argparse", "positional arguments"), NP_("argparse", "options"),
    NP_("argparse", "show this help message and exit"), NP_("argparse", "%(heading)s:"),
    NP_("argparse", "subcommands"),
    NP_("argparse", "%(prog)s: error: %(message)s\n"), NP_("argparse", "%(prog)s: warning: %(message)s\n"),
    NP_("argparse", "argument %(argument_name)s: %(message)s"),
    NP_("argparse", "unrecognized arguments: %s"),
    NP_("argparse", "the following arguments are required: %s"),
    NP_("argparse", "one of the arguments %s is required"),
    NP_("argparse", "not allowed with argument %s"),
    NP_("argparse", "ambiguous option: %(option)s could match %(matches)s"),
    NP_("argparse", "ignored explicit argument %r"),
    NP_("argparse", "unexpected option string: %s"),
    NP_("argparse", "expected one argument"), NP_("argparse", "expected at most one argument"),
    NP_("argparse", "expected at least one argument"),
    NNP_("argparse", "expected %s argument", "expected %s arguments"),
    NP_("argparse", "invalid %(type)s value: %(value)r"),
    NP_("argparse", "invalid choice: %(value)r (choose from %(choices)s)"),
    NP_("argparse", "invalid choice: %(value)r, maybe you meant %(closest)r? (choose from %(choices)s)"),
    NP_("argparse", "unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def _add_lang(parser: argparse.ArgumentParser) -> None:
    languages = ", ".join(f"{code} ({name})" for code, name in i18n.LANGUAGES.items())
    # default SUPPRESS: the code is taken by the pre-parse (language_asked), and a command's
    # --lang must not be overwritten by the top level's absent one.
    parser.add_argument(LANG_OPTION, choices=sorted(i18n.available()), default=argparse.SUPPRESS,
                        metavar=pgettext("metavar", "LANGUAGE"),
                        help=_("the language of the words: {languages}").format(languages=languages))


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, in the current language (build it inside
    ``argparse_in_our_words()`` so argparse's own words are in that language too)."""
    p = _Parser(prog="checkup", description=_("Device Checkup: look for monitoring software on this computer "
                "and explain what was found in plain words. With no command, the app opens."))
    _add_lang(p)
    sub = p.add_subparsers(dest="command", parser_class=_Parser, metavar=pgettext("metavar", "COMMAND"))

    words = _("check this computer (or a disk) and print what was found")
    s = sub.add_parser("scan", help=words, description=words)
    s.add_argument("--json", action="store_true", help=_("print a JSON document (see docs/json.md)"))
    _add_lang(s)
    s.add_argument("--signatures", metavar=pgettext("metavar", "FILE"), action="append", default=[],
                   help=_("add a signature file (can be given more than once)"))
    s.add_argument("--root", metavar=pgettext("metavar", "DIR"), help=_("check a disk or copied folder instead of this computer"))
    s.add_argument("--platform", choices=("windows", "macos", "linux"),
                   help=_("the system on the disk given with --root"))
    s.add_argument("--save-snapshot", metavar=pgettext("metavar", "FILE"),
                   help=_("also save everything that was read to {file} (JSON)").format(file=pgettext("metavar", "FILE")))
    s.add_argument("--from-snapshot", metavar=pgettext("metavar", "FILE"),
                   help=_("match a saved snapshot (of a computer or a phone) instead of reading this computer"))
    s.add_argument("--report", metavar=pgettext("metavar", "FILE"), help=_report_help())

    words = _("check, import or describe signature files")
    g = sub.add_parser("signatures", help=words, description=words)
    _add_lang(g)
    gs = g.add_subparsers(dest="action", parser_class=_Parser, metavar=pgettext("metavar", "ACTION"))
    words = _("check signature files and print each problem as file:line: message")
    v = gs.add_parser("validate", help=words, description=words)
    v.add_argument("paths", nargs="+", metavar=pgettext("metavar", "FILE"), help=_("a signature file to check"))
    _add_lang(v)
    words = _("make a signature file from a public data set")
    i = gs.add_parser("import", help=words, description=words)
    i.add_argument("source", choices=("echap", "lolrmm", "stix2"), help=_("which data set the files come from"))
    i.add_argument("inputs", nargs="+", metavar=pgettext("metavar", "INPUT"),
                   help=_("echap: ioc.yaml [watchware.yaml]; lolrmm: the folder of tool files; "
                          "stix2: one or more STIX 2.1 bundles (as MVT and Echap publish them)"))
    i.add_argument("-o", "--output", required=True, metavar=pgettext("metavar", "FILE"),
                   help=_("the signature file to write (a new file)"))
    _add_lang(i)
    words = _("what the built-in signature set holds, and where it comes from")
    _add_lang(gs.add_parser("info", help=words, description=words))
    _phone_parser(sub)
    return p


def _report_help() -> str:
    return _("also save a report for an advocate ({file}.html or {file}.pdf)").format(file=pgettext("metavar", "FILE"))


def main(argv: Sequence[str] | None = None) -> int:
    """The `checkup` command. Called with no ``argv`` (the installed command, ``python -m``),
    a terminal command ends the process as soon as its output is flushed (issue 15 item 4):
    the interpreter's own shut-down would otherwise tear down every object one by one."""
    program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    code, rest = language_asked(argv)
    if code is not None and code not in i18n.available():
        i18n.set_language(i18n.SOURCE)         # no language to speak was given: English
        print(_("checkup: unknown language {code}; choose one of: {codes}").format(
            code=shown(repr(code)), codes=", ".join(sorted(i18n.available()))), file=sys.stderr)
        return EXIT_USAGE
    # `checkup --lang pl`: the app, in that language (chosen for this run only, never saved).
    if not rest:
        if code is not None:
            i18n.set_language(code)
        return gui_main()
    if program and rest and rest[0] == "scan":
        # A scan process makes ~100,000 objects on its way to the signature set, nearly all of
        # which live until it ends: the collector walking them over and over cost 13-20 ms of a
        # ~250 ms scan. It stays off until settle() freezes them; a whole live scan leaves ~300
        # objects in reference cycles, so nothing grows meanwhile.
        gc.disable()
    i18n.set_language(code or i18n.SOURCE)        # in memory only, for this run
    result = _command(argv)
    if program:
        exit_now(result)
    return result


def exit_now(code: int) -> None:
    """Flush what was printed, then end the process without the interpreter's clean-up."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):       # a closed pipe (`checkup scan | head`): nothing to add
            pass
    os._exit(code)


def settle() -> None:
    """After loading the signature set: everything alive now lives until the process ends, so
    the garbage collector never needs to walk it again (``gc.freeze``). The collector, off
    from the start of a scan process (main), is on again from here, collecting young objects
    less often than Python's default (every 700 new objects): the scan itself makes tens of
    thousands of short-lived ones, nearly all freed as soon as they are dropped."""
    gc.freeze()
    if not gc.isenabled():
        gc.set_threshold(20_000, 10, 10)
        gc.enable()


def _command(argv: list[str]) -> int:
    try:
        with argparse_in_our_words():
            args = build_parser().parse_args(argv)
        if args.command == "scan":
            return cmd_scan(args)
        if args.command == "phone":
            return cmd_phone(args)
        if args.command == "signatures":
            if args.action == "validate":
                return cmd_validate(args)
            if args.action == "import":
                return cmd_import(args)
            if args.action == "info":
                return cmd_info(args)
            raise UsageError(_("say what to do with signatures: validate, import or info"))
        raise UsageError(_("unknown command"))
    except UsageError as exc:
        print(_("checkup: {problem} (try 'checkup --help')").format(problem=exc), file=sys.stderr)
        return EXIT_USAGE
    except InputError as exc:
        print(_("checkup: {problem}").format(problem=exc), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(_("checkup: stopped."), file=sys.stderr)
        return 130


def gui_main() -> int:
    from device_checkup.app.preflight import stop_before_qt
    if stop_before_qt():               # missing system parts: one plain line, not Qt's abort
        return EXIT_INPUT
    try:
        from device_checkup.app.gui import main as run_gui
    except ImportError as exc:
        print(_("checkup: the app can't open here ({why}). 'checkup scan' works in a terminal.").format(why=exc),
              file=sys.stderr)
        return EXIT_INPUT
    return run_gui()


# -- scan --------------------------------------------------------------------------------------
def cmd_scan(args) -> int:
    from device_checkup.checks.engine import run_scan
    from device_checkup.checks.snapshot import PHONES, Snapshot
    from device_checkup.checks.sources.base import Machine
    from device_checkup.checks.sources.fs import Unreadable
    from device_checkup.signatures.loader import load_set

    if args.from_snapshot and args.root:
        raise UsageError(_("--from-snapshot and --root can't be used together"))
    if args.platform and not args.root:
        raise UsageError(_("--platform goes with --root"))
    if args.root and not args.platform:
        raise UsageError(_("--root needs --platform windows, macos or linux"))
    if args.report and not args.report.lower().endswith((".html", ".htm", ".pdf")):
        raise UsageError(_("--report FILE must end in .html or .pdf"))
    for path in args.signatures:
        if not os.path.isfile(path):
            raise InputError(_("can't read the signature file {path}: it does not exist").format(path=path))
    snapshot = machine = None
    if args.from_snapshot:
        try:
            with open(args.from_snapshot, encoding="utf-8") as fh:
                snapshot = Snapshot.load(fh)
        except OSError as exc:
            raise InputError(_("can't read the snapshot {path}: {why}").format(path=args.from_snapshot, why=exc.strerror)) from None
        except (ValueError, TypeError) as exc:
            why = i18n.say(exc.words) if hasattr(exc, "words") else exc
            raise InputError(_("can't use the snapshot {path}: {why}").format(path=args.from_snapshot, why=why)) from None
    elif args.root:
        try:
            machine = Machine.offline(args.root, args.platform)
        except Unreadable as exc:
            raise InputError(_("can't check {path}: {why}").format(path=args.root, why=i18n.say(exc.said))) from None
    signatures = load_set(args.signatures)
    for note in signatures.notes:
        print(_("checkup: {problem}").format(problem=note), file=sys.stderr)
    settle()
    if snapshot is not None and snapshot.platform in PHONES:
        from device_checkup.checks.phone.saved import rematch
        result = rematch(snapshot, signatures)      # a saved phone check: the phone's own judge
    else:
        result = run_scan(signatures=signatures, machine=machine, snapshot=snapshot)
    _save_snapshot(args, result)
    return _present(args, result)


def _save_snapshot(args, result) -> None:
    """``--save-snapshot FILE`` of a laptop or phone check: a new file only, never through a
    link planted at that name (app/safe_write.py)."""
    if not getattr(args, "save_snapshot", None):
        return
    import io
    from device_checkup.app.safe_write import write_new
    buffer = io.StringIO()
    result.snapshot.dump(buffer)
    try:
        write_new(args.save_snapshot, buffer.getvalue().encode("utf-8"))
    except OSError as exc:
        raise InputError(_("can't save the snapshot to {path}: {why}").format(path=args.save_snapshot, why=exc.strerror)) from None


def _present(args, result) -> int:
    """The end of a laptop or phone check: the report if one was asked for, then the result
    as text or JSON."""
    if args.report:
        from device_checkup.app.report import save_report
        from device_checkup.app.session import Session
        try:
            digest = save_report(args.report, result, Session())
        except OSError as exc:
            raise InputError(_("can't save the report to {path}: {why}").format(path=args.report, why=exc.strerror)) from None
        except ValueError as exc:   # a PDF that could not be made whole, or an ending we don't write
            raise InputError(str(exc)) from None
        print(_("Report saved to {path}. Its SHA-256 is {sha256}").format(path=args.report, sha256=digest),
              file=sys.stderr)
    if args.json:
        sys.stdout.write(_json_text(result.to_json_data()))
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result))
    return EXIT_OK


def _wrap(text: str, indent: str = "", width: int = 88) -> str:
    """Wrap a paragraph; a "- " bullet's following lines line up under its text.

    Every line the terminal shows goes through here, and through ``shown``: names from the
    machine may hold escape sequences (which could clear the screen and draw a fake result),
    carriage returns, backspaces or bidi controls; they are shown as visible escapes (``\\x1b``).
    """
    text = shown(text, keep_lines=True)       # tabs and newlines are only spaces to textwrap
    follow = indent + "  " if text.startswith("- ") else indent
    import textwrap                 # only for the text output, not --json
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=follow)


def _json_text(data) -> str:
    """JSON that is inert in a terminal too: ``json`` escapes C0 controls but, with
    ``ensure_ascii=False``, leaves C1 controls, DEL, bidi and invisible characters and lone
    surrogates raw; they are written as ``\\uXXXX`` escapes (still the same JSON strings)."""
    text = json.dumps(data, indent=1, ensure_ascii=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2028\u2029"
                        "\u2060-\u2069\ufeff\u00ad\ufff9-\ufffb\ud800-\udfff]")


def render_text(result) -> str:
    """The scan in plain words: findings by tier, what could not be checked, what a scan can't see."""
    from device_checkup.checks import texts
    from device_checkup.checks.base import shown_value
    from device_checkup.signatures import kinds
    from device_checkup.signatures.loader import file_words
    snap = result.snapshot
    out: list[str] = []
    system, when = snap.os_version or snap.platform, snap.started_at
    device = getattr(result, "device_words", None)         # a phone check names the phone
    if device:
        out.append(_wrap(_("Device Checkup — a check of {device} ({system}), {when}").format(
            device=device, system=system, when=when)))
    else:
        out.append(_wrap(_("Device Checkup — a check of the disk in {root} ({system}), {when}").format(
            root=snap.root, system=system, when=when) if snap.mode == "offline" else
            _("Device Checkup — a check of this computer ({system}), {when}").format(system=system, when=when)))
    out.append("")
    out.append(_wrap(result.headline))
    out.append("")
    for tier, findings in result.by_tier():
        label = texts.text("tiers", tier, "label")
        out.append(_wrap("== " + _("{label} ({count})").format(label=label, count=len(findings)) + " =="))
        out.append("")
        for f in findings:
            out.append(_wrap(f.title))
            for heading, body in ((_("What it is: {text}"), f.what), (_("Why it matters: {text}"), f.why),
                                  (_("What you could do: {text}"), f.do), (_("Be careful: {text}"), f.careful)):
                out.append(_wrap(heading.format(text=body), "    "))
            out.append("    " + _("Details:"))
            for ev in f.evidence:
                # Where it was, in words (the record kind's declared place name), then the record.
                place = texts.text(*kinds.RECORD[ev.record_kind].place_name) if ev.record_kind in kinds.RECORD \
                    else ev.record_kind
                out.append(_wrap("- " + _("{place}: {value}").format(
                    place=place, value=shown_value(ev.record_kind, ev.record)), "      "))
                for m in ev.matches:
                    kind = texts.text("kinds", m.kind)
                    values = dict(kind=kind, indicator=m.indicator, field=m.field, value=m.value,
                                  file=i18n.say(file_words(m.file)) if m.file else "")
                    if not m.file:
                        line = _("matched the {kind} '{indicator}' ({field}: '{value}')")
                    elif m.user_file:
                        line = _("matched the {kind} '{indicator}' ({field}: '{value}') [{file}, added by you]")
                    else:
                        line = _("matched the {kind} '{indicator}' ({field}: '{value}') [{file}]")
                    out.append(_wrap(line.format(**values), "        "))
            out.append("")
    if result.checked:
        out.append("== " + _("What we looked at") + " ==")
        out.append(_wrap(", ".join(result.checked) + ".", "  "))
        out.append("")
    out.append("== " + _("What we could not check") + " ==")
    if result.not_checked:
        from device_checkup.checks.engine import group_not_checked
        for g in group_not_checked(result.not_checked):
            line = (_("We couldn't look at {what}, because {reason} (this happened {count} times).")
                    if g["count"] > 1 else _("We couldn't look at {what}, because {reason}."))
            line = line.format(what=g["what"], reason=g["reason"], count=g["count"])
            out.append(_wrap(f"- {line} {g['how']}".rstrip(), "  "))
            if g["fault"]:
                continue        # Python's words for our own fault: in --json and the report, not here
            for detail in g["details"]:
                out.append(_wrap(f"({detail})", "      "))
    else:
        out.append("  " + _("Everything we tried to look at could be read."))
    out.append("")
    out.append("== " + _("What a scan cannot see") + " ==")
    for line in (result.cannot_see_words() if hasattr(result, "cannot_see_words") else texts.cannot_see()):
        out.append(_wrap(f"- {line}", "  "))
    out.append("")
    out.extend(_signature_lines(result))
    return "\n".join(out)


def _signature_lines(result) -> list[str]:
    """The signature set's versions and fingerprint, to compare with the published one from a
    device you trust (someone with administrator rights can change the app itself)."""
    sigs = getattr(result, "signatures", None)
    if sigs is None:
        return []
    def one(f) -> str:
        name = f"{f.label} {f.version or ''}".strip()
        return _("{name} (added by you)").format(name=name) if f.user_file else name
    versions = "; ".join(one(f) for f in sigs.files) or _("none")
    return ["== " + _("The signature set used") + " ==",
            _wrap(_("Versions: {versions}.").format(versions=versions), "  "),
            # one line, to compare at a glance
            "  " + _("Fingerprint (SHA-256): {sha256}").format(sha256=shown(sigs.sha256)),
            _wrap(_("Compare this fingerprint with the published one from a phone or computer you trust."), "  "),
            ""]


# -- phone -----------------------------------------------------------------------------------
def _phone_parser(sub) -> None:
    words = _("check a phone: an Android phone over USB (read-only) or an iPhone backup")
    ph = sub.add_parser("phone", help=words, description=words)
    _add_lang(ph)
    kinds = ph.add_subparsers(dest="phone_kind", metavar=pgettext("metavar", "KIND"))
    words = _("read an Android phone over USB debugging; nothing on it is changed")
    a = kinds.add_parser("android", help=words, description=words)
    a.add_argument("--serial", metavar=pgettext("metavar", "SERIAL"),
                   help=_("which phone, when more than one is plugged in (see 'adb devices')"))
    a.add_argument("--adb", metavar=pgettext("metavar", "PATH"),
                   help=_("the adb program to use (default: the bundled one, else adb on PATH)"))
    words = _("read an iPhone backup (iTunes/Finder/idevicebackup2) on this computer")
    i = kinds.add_parser("ios-backup", help=words, description=words)
    i.add_argument("dir", metavar=pgettext("metavar", "DIR"), nargs="?",
                   help=_("the backup folder (the one holding Manifest.db); without it, the backups found "
                          "where iTunes or Finder keep them are listed"))
    # No password option: a password typed on the command line stays in the shell's history.
    # An encrypted backup's password is asked for (not shown as it is typed), or read from
    # standard input for scripts and tests.
    i.add_argument("--password-stdin", action="store_true",
                   help=_("read an encrypted backup's password from the first line of standard input "
                          "(otherwise it is asked for, without showing it)"))
    for q in (a, i):
        q.add_argument("--json", action="store_true", help=_("print a JSON document (as 'checkup scan --json')"))
        _add_lang(q)
        q.add_argument("--signatures", metavar=pgettext("metavar", "FILE"), action="append", default=[],
                       help=_("also use this signature file (may be given more than once)"))
        q.add_argument("--report", metavar=pgettext("metavar", "FILE"), help=_report_help())
        q.add_argument("--save-snapshot", metavar=pgettext("metavar", "FILE"),
                       help=_("also save what the phone told us to {file} (JSON), to match it again or compare "
                              "it later (checkup scan --from-snapshot)").format(file=pgettext("metavar", "FILE")))


def cmd_phone(args) -> int:
    from device_checkup.signatures.loader import load_set
    if args.phone_kind not in ("android", "ios-backup"):
        raise UsageError(_("say which phone: 'checkup phone android' or 'checkup phone ios-backup {dir}'").format(
            dir=pgettext("metavar", "DIR")))
    if args.report and not args.report.lower().endswith((".html", ".htm", ".pdf")):
        raise UsageError(_("--report FILE must end in .html or .pdf"))
    for path in args.signatures:
        if not os.path.isfile(path):
            raise InputError(_("can't read the signature file {path}: it does not exist").format(path=path))
    signatures = load_set(args.signatures)
    for note in signatures.notes:
        print(_("checkup: {problem}").format(problem=note), file=sys.stderr)
    if args.phone_kind == "android":
        from device_checkup.checks.phone.adb import AdbError, AdbProgram, Phone
        from device_checkup.checks.phone.scan import scan_android
        try:
            program = AdbProgram(serial=args.serial, adb=args.adb)
            if not args.serial:
                ready = program.devices()
                if not ready:
                    raise InputError(_("no phone answered. Check the cable, unlock the phone and turn on USB "
                                       "debugging."))
                if len(ready) > 1:
                    raise InputError(_("more than one phone is plugged in; choose one with --serial: {serials}").format(
                        serials=", ".join(shown(serial) for serial, _state in ready)))
                serial, state = ready[0]
                if state == "unauthorized":
                    raise InputError(_("the phone has not allowed this computer yet: unlock it and tap “Allow”."))
                program.serial = serial
            result = scan_android(Phone(program), signatures)
        except AdbError as exc:
            # our own details are catalogue messages; what adb itself said stays as it said it
            raise InputError(_("can't reach the phone: {why}").format(why=_(exc.detail or exc.reason))) from None
        finally:
            if "program" in locals():
                program.close()             # stops the adb server only if this check started it
    else:
        from device_checkup.checks.phone.ios_backup import find_backups
        if not args.dir:
            from device_checkup.checks.sources.base import this_platform
            found = find_backups(this_platform())
            if not found:
                raise InputError(_("no iPhone backup was found where iTunes or Finder keep them; give its folder"))
            for folder, words in found:
                print(_wrap(f"{shown(folder)}  ({shown(words)})"))
            return EXIT_OK
        result = _read_ios_backup(args, signatures)
    _save_snapshot(args, result)
    return _present(args, result)


def _read_ios_backup(args, signatures):
    """An iPhone backup; an encrypted one's password is asked for (three tries at a terminal)
    or read from standard input, used once and never shown."""
    from device_checkup.checks import texts
    from device_checkup.checks.phone.ios_backup import BackupError, PasswordNeeded, WrongPassword, scan_backup
    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    at_terminal = not args.password_stdin and sys.stdin.isatty()
    tries = 0
    while True:
        try:
            return scan_backup(args.dir, signatures, password)
        except PasswordNeeded:
            if not at_terminal:
                raise InputError(texts.text("phone", "guide", "password_no_terminal")) from None
        except WrongPassword:
            tries += 1
            if not at_terminal or tries >= 3:
                raise InputError(texts.text("phone", "guide", "wrong_password")) from None
            print(texts.text("phone", "guide", "wrong_password"), file=sys.stderr)
        except (BackupError, OSError) as exc:
            raise InputError(_("can't read the backup {path}: {why}").format(path=shown(args.dir), why=exc)) from None
        import getpass
        password = getpass.getpass(texts.text("phone", "guide", "password_prompt") + " ")


# -- signatures ------------------------------------------------------------------------------
def cmd_validate(args) -> int:
    from device_checkup.signatures.loader import builtin_paths, load_set
    missing = [p for p in args.paths if not os.path.isfile(p)]
    if missing:
        raise InputError(_("can't read {path}: it does not exist").format(path=missing[0]))
    # Validate against the built-in set, so duplicate ids and same_as are checked across files.
    given = [os.path.realpath(p) for p in args.paths]
    others = [p for p in builtin_paths() if os.path.realpath(p) not in given]
    sigset = load_set(args.paths, builtin_files=others)
    # The given files' problems: labelled by the path given, or by the file's own name.
    labels = set(args.paths) | {sf.label for sf in sigset.files if sf.user_file}
    own = [p for p in sigset.problems if p.file in labels]
    for p in own:
        print(shown(f"{p.file}:{p.line}: {i18n.say(p.words)}"))
    families = sum(len(f.families) for f in sigset.files if f.user_file)
    if own:
        print(i18n.ngettext("{count} problem found.", "{count} problems found.", len(own)).format(count=len(own)),
              file=sys.stderr)
        return EXIT_PROBLEMS
    print(_("OK: {files}, {families}.").format(
        files=i18n.ngettext("{count} file", "{count} files", len(args.paths)).format(count=len(args.paths)),
        families=i18n.ngettext("{count} family", "{count} families", families).format(count=families)),
        file=sys.stderr)
    return EXIT_OK


def cmd_import(args) -> int:
    from device_checkup.signatures.importers import dump_signature_file
    from device_checkup.signatures.importers.regenerate import ECHAP_HEADER, LOLRMM_HEADER
    if args.source == "stix2":
        from device_checkup.signatures.importers.stix2 import Stix2Error, import_stix2, laptop_families
        for path in args.inputs:
            if not os.path.isfile(path):
                raise InputError(_("can't read {path}: it does not exist").format(path=path))
        try:
            doc, notes = import_stix2(args.inputs)
        except (Stix2Error, OSError, UnicodeDecodeError) as exc:
            raise InputError(_("can't import: {why}").format(why=exc)) from None
        if not laptop_families(doc):
            print(_("note: {note}").format(note=notes[-1]), file=sys.stderr)
            raise InputError(_("nothing to write: these files hold nothing a laptop check can look for"))
        header = "Converted from STIX 2 by: checkup signatures import stix2"
    elif args.source == "echap":
        from device_checkup.signatures.importers.echap import import_echap
        if len(args.inputs) > 2:
            raise UsageError(_("echap takes ioc.yaml and, optionally, watchware.yaml"))
        for path in args.inputs:
            if not os.path.isfile(path):
                raise InputError(_("can't read {path}: it does not exist").format(path=path))
        try:
            doc, notes = import_echap(args.inputs)
        except (ValueError, OSError) as exc:
            raise InputError(_("can't import: {why}").format(why=exc)) from None
        header = ECHAP_HEADER
    else:
        from device_checkup.signatures.importers.lolrmm import import_lolrmm
        if len(args.inputs) != 1 or not os.path.isdir(args.inputs[0]):
            raise InputError(_("lolrmm takes one folder of tool files; {path} is not a folder").format(
                path=args.inputs[0]))
        try:
            doc, notes = import_lolrmm(args.inputs[0])
        except (ValueError, OSError) as exc:
            raise InputError(_("can't import: {why}").format(why=exc)) from None
        header = LOLRMM_HEADER
    try:
        dump_signature_file(doc, args.output, header)
    except OSError as exc:
        raise InputError(_("can't write {path}: {why}").format(path=args.output, why=exc.strerror)) from None
    for note in notes:
        print(_("note: {note}").format(note=note), file=sys.stderr)
    count = len(doc.get("families", []))
    print(i18n.ngettext("wrote {count} family to {path}", "wrote {count} families to {path}", count).format(
        count=count, path=args.output), file=sys.stderr)
    return EXIT_OK


def platform_tier_counts(sigset) -> dict[str, dict[str, int]]:
    """platform → tier → families. A family's platforms are those it names, and those its path
    indicators belong to; one with neither is counted under "unknown"."""
    from device_checkup.signatures.loader import PLATFORMS
    table: dict[str, dict[str, int]] = {p: {} for p in PLATFORMS + ("unknown",)}
    for fam in sigset.families:
        platforms = set(fam.platforms)
        for ind in fam.indicators:
            platforms.update(ind.platforms)
        for p in platforms or {"unknown"}:
            table[p][fam.tier] = table[p].get(fam.tier, 0) + 1
    return {p: row for p, row in table.items() if row}


def cmd_info(args) -> int:
    """The built-in set, for whoever maintains it. Tier and platform names are shown as a
    signature file writes them (``tier: stalkerware``, ``platforms: [macos]``): they are the
    words of the file format, like JSON keys; everything around them is in the catalogue."""
    from device_checkup.signatures.loader import file_words, load_set
    sigset = load_set()
    counts = sigset.counts()
    print(_("Signature set {sha256}").format(sha256=sigset.sha256))
    phone_only = counts["indicators"] - counts["laptop_indicators"]
    print(_("Families: {families}. Indicators a laptop can show: {laptop}. Phone app ids kept for reference: "
            "{phone}.").format(families=counts["families"], laptop=counts["laptop_indicators"], phone=phone_only))
    for tier, n in counts["by_tier"].items():
        print(f"  {tier}: {n}")
    print("\n" + _("Families by platform and tier (a family sold for several platforms counts on each):"))
    table = platform_tier_counts(sigset)
    tiers = sorted({t for row in table.values() for t in row})
    platform_word, total_word = pgettext("table", "platform"), pgettext("table", "total")
    width = max(10, len(platform_word) + 1)
    print("  " + platform_word.ljust(width) + "".join(t.rjust(15) for t in tiers) + total_word.rjust(8))
    for platform, row in table.items():
        name = pgettext("platform", "unknown") if platform == "unknown" else platform
        print("  " + name.ljust(width) + "".join(str(row.get(t, 0)).rjust(15) for t in tiers)
              + str(sum(row.values())).rjust(8))
    for sf in sigset.files:
        print("\n" + _("{label} ({file}), version {version}, licence {license}").format(
            label=sf.label, file=os.path.basename(sf.path), version=sf.version or "-", license=sf.license or "-"))
        if sf.attribution:
            print(_wrap(sf.attribution, "  "))
    for p in sigset.problems:
        where = i18n.say(file_words(p.file))
        print(shown(_("problem: {problem}").format(problem=f"{where}:{p.line}: {i18n.say(p.words)}")),
              file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
