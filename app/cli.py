"""The `checkup` command: no arguments opens the app; `checkup scan` and friends run in a terminal.

This module never imports Qt (the app is imported only when it is opened), so a scan from the
command line starts quickly and works where no screen is available.

Exit codes: 0 the command did its work (whatever a scan found); 1 signature files have
problems (`signatures validate`); 2 bad arguments; 3 unreadable input (a snapshot, a folder).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import textwrap
from typing import Sequence

from device_checkup.checks import i18n
from device_checkup.checks.i18n import _
from device_checkup.checks.inert import shown

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INPUT = 0, 1, 2, 3


class UsageError(Exception):
    pass


class InputError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one clear line, then exit 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="checkup", description="Device Checkup: look for monitoring software on this computer "
                "and explain what was found in plain words. With no command, the app opens.")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("scan", help="check this computer (or a disk) and print what was found")
    s.add_argument("--json", action="store_true", help="print a JSON document (see docs/json.md)")
    s.add_argument("--lang", choices=sorted(i18n.available()), default=i18n.SOURCE,
                   help="the language of the words: en (English) or pl (Polski); JSON keys stay as they are")
    s.add_argument("--signatures", metavar="FILE", action="append", default=[],
                   help="add a signature file (can be given more than once)")
    s.add_argument("--root", metavar="DIR", help="check a disk or copied folder instead of this computer")
    s.add_argument("--platform", choices=("windows", "macos", "linux"), help="the system on the disk given with --root")
    s.add_argument("--save-snapshot", metavar="FILE", help="also save everything that was read to FILE (JSON)")
    s.add_argument("--from-snapshot", metavar="FILE",
                   help="match a saved snapshot (of a computer or a phone) instead of reading this computer")
    s.add_argument("--report", metavar="FILE", help="also save a report for an advocate (FILE.html or FILE.pdf)")

    g = sub.add_parser("signatures", help="check, import or describe signature files")
    gs = g.add_subparsers(dest="action", parser_class=_Parser)
    v = gs.add_parser("validate", help="check signature files and print each problem as file:line: message")
    v.add_argument("paths", nargs="+", metavar="FILE")
    i = gs.add_parser("import", help="make a signature file from a public data set")
    i.add_argument("source", choices=("echap", "lolrmm", "stix2"))
    i.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="echap: ioc.yaml [watchware.yaml]; lolrmm: the folder of tool files; "
                        "stix2: one or more STIX 2.1 bundles (as MVT and Echap publish them)")
    i.add_argument("-o", "--output", required=True, metavar="OUT")
    gs.add_parser("info", help="what the built-in signature set holds, and where it comes from")
    _phone_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """The `checkup` command. Called with no ``argv`` (the installed command, ``python -m``),
    a terminal command ends the process as soon as its output is flushed (issue 15 item 4):
    the interpreter's own shut-down would otherwise tear down every object one by one."""
    program = argv is None
    argv = list(sys.argv[1:] if argv is None else argv)
    # `checkup --lang pl`: the app, in that language (chosen for this run only, never saved).
    if len(argv) == 2 and argv[0] == "--lang" or len(argv) == 1 and argv[0].startswith("--lang="):
        code = argv[-1].split("=", 1)[-1]
        if code not in i18n.available():
            print(f"checkup: unknown language {code!r}; choose one of: {', '.join(sorted(i18n.available()))}",
                  file=sys.stderr)
            return EXIT_USAGE
        i18n.set_language(code)
        argv = []
    if not argv:
        return gui_main()
    code = _command(argv)
    if program:
        exit_now(code)
    return code


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
    the garbage collector never needs to walk it again (``gc.freeze``)."""
    import gc
    gc.freeze()


def _command(argv: list[str]) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command == "scan":
            i18n.set_language(args.lang)        # in memory only, for this run
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
            raise UsageError("say what to do with signatures: validate, import or info")
        raise UsageError("unknown command")
    except UsageError as exc:
        print(_("checkup: {problem} (try 'checkup --help')").format(problem=exc), file=sys.stderr)
        return EXIT_USAGE
    except InputError as exc:
        print(f"checkup: {exc}", file=sys.stderr)
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
        print(f"checkup: the app can't open here ({exc}). 'checkup scan' works in a terminal.", file=sys.stderr)
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
            raise InputError(_("can't use the snapshot {path}: {why}").format(path=args.from_snapshot, why=exc)) from None
    elif args.root:
        try:
            machine = Machine.offline(args.root, args.platform)
        except Unreadable as exc:
            raise InputError(_("can't check {path}: {why}").format(path=args.root, why=exc.detail)) from None
    signatures = load_set(args.signatures)
    for note in signatures.notes:
        print(f"checkup: {note}", file=sys.stderr)
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
                out.append(_wrap(f"- {ev.record_kind}: {shown_value(ev.record_kind, ev.record)}", "      "))
                for m in ev.matches:
                    kind = texts.text("kinds", m.kind)
                    values = dict(kind=kind, indicator=m.indicator, field=m.field, value=m.value, file=m.file)
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
    ph = sub.add_parser("phone", help="check a phone: an Android phone over USB (read-only) or an iPhone backup")
    kinds = ph.add_subparsers(dest="phone_kind", metavar="KIND")
    a = kinds.add_parser("android", help="read an Android phone over USB debugging; nothing on it is changed")
    a.add_argument("--serial", metavar="S", help="which phone, when more than one is plugged in (see 'adb devices')")
    a.add_argument("--adb", metavar="PATH", help="the adb program to use (default: the bundled one, else adb on PATH)")
    i = kinds.add_parser("ios-backup", help="read an iPhone backup (iTunes/Finder/idevicebackup2) on this computer")
    i.add_argument("dir", metavar="DIR", nargs="?",
                   help="the backup folder (the one holding Manifest.db); without it, the backups found "
                        "where iTunes or Finder keep them are listed")
    # No password option: a password typed on the command line stays in the shell's history.
    # An encrypted backup's password is asked for (not shown as it is typed), or read from
    # standard input for scripts and tests.
    i.add_argument("--password-stdin", action="store_true",
                   help="read an encrypted backup's password from the first line of standard input "
                        "(otherwise it is asked for, without showing it)")
    for q in (a, i):
        q.add_argument("--json", action="store_true", help="print a JSON document (as 'checkup scan --json')")
        q.add_argument("--signatures", metavar="FILE", action="append", default=[],
                       help="also use this signature file (may be given more than once)")
        q.add_argument("--report", metavar="FILE", help="also save a report for an advocate (FILE.html or FILE.pdf)")
        q.add_argument("--save-snapshot", metavar="FILE",
                       help="also save what the phone told us to FILE (JSON), to match again or compare later "
                            "with 'checkup scan --from-snapshot FILE'")


def cmd_phone(args) -> int:
    from device_checkup.signatures.loader import load_set
    if args.phone_kind not in ("android", "ios-backup"):
        raise UsageError("say which phone: 'checkup phone android' or 'checkup phone ios-backup DIR'")
    if args.report and not args.report.lower().endswith((".html", ".htm", ".pdf")):
        raise UsageError("--report FILE must end in .html or .pdf")
    for path in args.signatures:
        if not os.path.isfile(path):
            raise InputError(f"can't read the signature file {path}: it does not exist")
    signatures = load_set(args.signatures)
    for note in signatures.notes:
        print(f"checkup: {note}", file=sys.stderr)
    if args.phone_kind == "android":
        from device_checkup.checks.phone.adb import AdbError, AdbProgram, Phone
        from device_checkup.checks.phone.scan import scan_android
        try:
            program = AdbProgram(serial=args.serial, adb=args.adb)
            if not args.serial:
                ready = program.devices()
                if not ready:
                    raise InputError("no phone answered. Check the cable, unlock the phone and turn on USB debugging.")
                if len(ready) > 1:
                    raise InputError("more than one phone is plugged in; choose one with --serial: "
                                     + ", ".join(shown(s) for s, _ in ready))
                serial, state = ready[0]
                if state == "unauthorized":
                    raise InputError("the phone has not allowed this computer yet: unlock it and tap “Allow”.")
                program.serial = serial
            result = scan_android(Phone(program), signatures)
        except AdbError as exc:
            raise InputError(f"can't reach the phone: {exc.detail or exc.reason}") from None
        finally:
            if "program" in locals():
                program.close()             # stops the adb server only if this check started it
    else:
        from device_checkup.checks.phone.ios_backup import BackupError, find_backups, scan_backup
        if not args.dir:
            from device_checkup.checks.sources.base import this_platform
            found = find_backups(this_platform())
            if not found:
                raise InputError("no iPhone backup was found where iTunes or Finder keep them; give its folder")
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
            raise InputError(f"can't read the backup {shown(args.dir)}: {exc}") from None
        import getpass
        password = getpass.getpass(texts.text("phone", "guide", "password_prompt") + " ")


# -- signatures ------------------------------------------------------------------------------
def cmd_validate(args) -> int:
    from device_checkup.signatures.loader import builtin_paths, load_set
    missing = [p for p in args.paths if not os.path.isfile(p)]
    if missing:
        raise InputError(f"can't read {missing[0]}: it does not exist")
    # Validate against the built-in set, so duplicate ids and same_as are checked across files.
    given = [os.path.realpath(p) for p in args.paths]
    others = [p for p in builtin_paths() if os.path.realpath(p) not in given]
    sigset = load_set(args.paths, builtin_files=others)
    own = [p for p in sigset.problems if not p.file.startswith("built-in ")]
    for p in own:
        print(shown(str(p)))
    families = sum(len(f.families) for f in sigset.files if f.user_file)
    if own:
        print(f"{len(own)} problem(s) found.", file=sys.stderr)
        return EXIT_PROBLEMS
    print(f"OK: {len(args.paths)} file(s), {families} families.", file=sys.stderr)
    return EXIT_OK


def cmd_import(args) -> int:
    from device_checkup.signatures.importers import dump_signature_file
    from device_checkup.signatures.importers.regenerate import ECHAP_HEADER, LOLRMM_HEADER
    if args.source == "stix2":
        from device_checkup.signatures.importers.stix2 import Stix2Error, import_stix2, laptop_families
        for path in args.inputs:
            if not os.path.isfile(path):
                raise InputError(f"can't read {path}: it does not exist")
        try:
            doc, notes = import_stix2(args.inputs)
        except (Stix2Error, OSError, UnicodeDecodeError) as exc:
            raise InputError(f"can't import: {exc}") from None
        if not laptop_families(doc):
            print(f"note: {notes[-1]}", file=sys.stderr)
            raise InputError("nothing to write: these files hold nothing a laptop check can look for")
        header = "Converted from STIX 2 by: checkup signatures import stix2"
    elif args.source == "echap":
        from device_checkup.signatures.importers.echap import import_echap
        if len(args.inputs) > 2:
            raise UsageError("echap takes ioc.yaml and, optionally, watchware.yaml")
        for path in args.inputs:
            if not os.path.isfile(path):
                raise InputError(f"can't read {path}: it does not exist")
        try:
            doc, notes = import_echap(args.inputs)
        except (ValueError, OSError) as exc:
            raise InputError(f"can't import: {exc}") from None
        header = ECHAP_HEADER
    else:
        from device_checkup.signatures.importers.lolrmm import import_lolrmm
        if len(args.inputs) != 1 or not os.path.isdir(args.inputs[0]):
            raise InputError(f"lolrmm takes one folder of tool files; {args.inputs[0]} is not a folder")
        try:
            doc, notes = import_lolrmm(args.inputs[0])
        except (ValueError, OSError) as exc:
            raise InputError(f"can't import: {exc}") from None
        header = LOLRMM_HEADER
    try:
        dump_signature_file(doc, args.output, header)
    except OSError as exc:
        raise InputError(f"can't write {args.output}: {exc.strerror}") from None
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {len(doc.get('families', []))} families to {args.output}", file=sys.stderr)
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
    from device_checkup.signatures.loader import load_set
    sigset = load_set()
    counts = sigset.counts()
    print(f"Signature set {sigset.sha256}")
    print(f"{counts['families']} families, {counts['laptop_indicators']} indicators a laptop can show "
          f"(and {counts['indicators'] - counts['laptop_indicators']} phone app ids kept for reference)")
    for tier, n in counts["by_tier"].items():
        print(f"  {tier}: {n}")
    print("\nFamilies by platform and tier (a family sold for several platforms counts on each):")
    table = platform_tier_counts(sigset)
    tiers = sorted({t for row in table.values() for t in row})
    print("  " + "platform".ljust(10) + "".join(t.rjust(15) for t in tiers) + "total".rjust(8))
    for platform, row in table.items():
        print("  " + platform.ljust(10) + "".join(str(row.get(t, 0)).rjust(15) for t in tiers)
              + str(sum(row.values())).rjust(8))
    for sf in sigset.files:
        print(f"\n{sf.label} ({os.path.basename(sf.path)}), version {sf.version or '-'}, licence {sf.license or '-'}")
        if sf.attribution:
            print(_wrap(sf.attribution, "  "))
    for p in sigset.problems:
        print(shown(f"problem: {p}"), file=sys.stderr)
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
