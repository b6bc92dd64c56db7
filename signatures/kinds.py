"""Every kind, declared once: the indicator kinds a signature file may use and the record kinds
sources collect (see docs/kinds.md, made from this module, and docs/architecture.md).

The loader validates an indicator by its kind's ``form``, the index files it by that form,
``checks.base.ask`` asks the index by that form, and the presenters find a kind's words under
its ``words`` key in ``checks/texts/en.yaml`` (other languages: the gettext catalogues in
``checks/locale``). A record kind names its record class (in ``checks/records.py``), how a
person sees one record (``shown``) and where its place words are.
``tests/test_kinds.py`` fails when a kind lacks any of these parts.

This module imports nothing from the project: ``signatures`` and ``checks`` both read it, and
``signatures`` never imports ``checks``.
"""
from __future__ import annotations

from typing import Callable

from msgspec import Struct

# How an indicator is written, validated, filed in the index and matched.
FORMS = {
    "name": "a name, a glob (*, ?, [..]) or {regex: ...}; a Windows program file name (.exe…) "
            "matches on Windows only; {name: ..., platforms: [...]} says where it can match",
    "path": "a full path or glob (C:\\..., %AppData%\\..., /..., ~/...); it also matches what is below it",
    "registry_key": "a registry key (HKLM\\... or HKCU\\...), glob allowed; also matches keys below it",
    "registry_value": "{key: HKLM\\..., name: VALUE}: a value of a registry key",
    "domain": "a domain name; it also matches every name below it (a.example.com)",
    "ip": "an IP address or CIDR range",
    "sha256": "64 hexadecimal digits: the SHA-256 of a file",
    "reference": "a name kept to know a family by; never looked for on a laptop",
}


class IndicatorKind(Struct, frozen=True):
    """What a signature file's indicators of one kind are, and how they are matched."""
    name: str                              # the key in a signature file's ``indicators``
    form: str                              # one of FORMS
    platforms: tuple[str, ...] = ()        # where it can match at all (empty: as its form says)
    probed: bool = False                   # its places are handed to the sources to look at
    # (record kind, field) pairs the declared check asks about this kind. Kinds asked by a
    # hand-written check (checks/processes.py, ...) leave it empty; a new kind fills it and
    # needs no check of its own.
    asked_of: tuple[tuple[str, str], ...] = ()
    doc: str = ""                          # what it is matched against (docs/kinds.md)

    @property
    def words(self) -> tuple[str, ...]:
        """Its words in checks/texts/en.yaml, translated through the catalogue ("program file name")."""
        return ("kinds", self.name)

    @property
    def looked_for(self) -> bool:
        return self.form != "reference"


INDICATOR_KINDS: tuple[IndicatorKind, ...] = (
    IndicatorKind("process_names", "name",
                  doc="file name of a running program, and of the program an autostart entry, service or "
                      "scheduled task starts (`sysdiag.exe`, `winvnc*.exe`)"),
    IndicatorKind("bundle_ids", "name",
                  doc="macOS bundle identifiers of installed apps and login items (`com.spyrix.skm`)"),
    IndicatorKind("launchd_labels", "name",
                  doc="macOS launchd job labels (launch agents and daemons)"),
    IndicatorKind("autostart_names", "name",
                  doc="names of autostart entries: registry Run values, Startup-folder shortcuts, "
                      "`.desktop` files, systemd units, launchd labels"),
    IndicatorKind("service_names", "name",
                  doc="service names (Windows services, launchd daemons, systemd units) and their display "
                      "names"),
    IndicatorKind("task_names", "name",
                  doc="scheduled task names (the task's own name, without its folder)"),
    IndicatorKind("program_names", "name",
                  doc='installed programs (Windows "Apps & features" names, `.app` names, Linux packages)'),
    IndicatorKind("extension_ids", "name",
                  doc="browser extension ids (Chrome store ids, Firefox add-on ids)"),
    IndicatorKind("executable_paths", "path",
                  doc="full path of a running program, or of the program an autostart entry, service or "
                      "task starts"),
    IndicatorKind("file_paths", "path", probed=True,
                  doc="files or folders that exist on the disk: Device Checkup looks at these places"),
    IndicatorKind("registry_keys", "registry_key", platforms=("windows",), probed=True,
                  doc="keys that exist in the registry (`HKLM\\SOFTWARE\\Refog Software`, "
                      "`HKCU\\Software\\WideStep`)"),
    IndicatorKind("registry_values", "registry_value", platforms=("windows",), probed=True,
                  doc="a named value that exists under a key"),
    IndicatorKind("domains", "domain",
                  doc="host names in URLs and commands found on the machine (autostart commands, services, "
                      "tasks, proxy settings, extension update URLs). Matches the domain itself and any "
                      "name ending in `.domain`; `*.example.com` is read as `example.com`"),
    IndicatorKind("ips", "ip",
                  doc="remote addresses of network connections"),
    IndicatorKind("sha256", "sha256",
                  doc="SHA-256 of a running program's file, of an autostart program, or of a file found at "
                      "a known place"),
    # Kept so a family is known by the ids of its phone app; a laptop scan never looks for them.
    IndicatorKind("mobile_app_ids", "reference",
                  doc="Android package names and iOS bundle ids of a phone app. **Not looked for on a "
                      "laptop**: kept so that a phone-only family (most of Echap) still carries what is "
                      "known of it, and counted apart in `checkup signatures info`"),
    # The phone check (checks/phone) compares it with each app's certificate.
    IndicatorKind("android_cert_sha1", "reference",
                  doc="SHA-1 of an Android app's signing certificate (40 hex digits). **Not looked for on a "
                      "laptop**: the phone check (`checkup phone android`) compares it with each app's "
                      "certificate"),
)
INDICATOR = {k.name: k for k in INDICATOR_KINDS}


def indicator_kinds(form: str) -> tuple[str, ...]:
    """The names of the indicator kinds of one form, in declaration order."""
    return tuple(k.name for k in INDICATOR_KINDS if k.form == form)


# -- record kinds --------------------------------------------------------------------------
class RecordKind(Struct, frozen=True):
    """What sources collect of one kind, and how a person is shown one record."""
    name: str                              # the key in snapshots, ``Source.kind``, ``Evidence.record_kind``
    record: str                            # its class in checks/records.py
    # The field that names one record for a person ("name"). None: the record is named with
    # words, by its entry in checks.base._SHOWN ("{name}, which starts {executable}").
    shown: str | None = None
    # What collects it: a computer's sources, or a phone check (checks/phone). A snapshot holds
    # the kinds of its own device only (checks/snapshot.py).
    device: str = "computer"

    @property
    def place_words(self) -> tuple[str, ...]:
        """Where a finding was, with the record: "a running program ({value})"."""
        return ("places", self.name)

    @property
    def place_name(self) -> tuple[str, ...]:
        """Where a finding was, alone (the app's details): "a running program"."""
        return ("place_names", self.name)


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind("processes", "Process"),
    RecordKind("connections", "Connection"),
    RecordKind("listeners", "Listener"),
    RecordKind("capture", "Capture", shown="value"),
    RecordKind("interfaces", "Interface", shown="name"),
    RecordKind("gateways", "Gateway", shown="address"),
    RecordKind("autostart", "AutostartEntry"),
    RecordKind("apps", "InstalledApp", shown="name"),
    RecordKind("services", "Service"),
    RecordKind("tasks", "ScheduledTask", shown="name"),
    RecordKind("files", "FileItem", shown="path"),
    RecordKind("registry", "RegistryItem"),
    RecordKind("extensions", "BrowserExtension"),
    RecordKind("sessions", "RemoteSession", shown="log"),
    RecordKind("settings", "Setting"),
    RecordKind("signature_changes", "SignatureChange", shown="change"),
    # What a phone check read (checks/phone): kept in a phone's snapshot so it can be matched again.
    RecordKind("phone_apps", "PhoneApp", shown="package", device="phone"),
    RecordKind("phone_grants", "PhoneGrant", device="phone"),
    RecordKind("phone_settings", "PhoneSetting", device="phone"),
    RecordKind("phone_profiles", "PhoneProfile", shown="name", device="phone"),
)
RECORD = {k.name: k for k in RECORD_KINDS}


# -- the table in docs/kinds.md ------------------------------------------------------------
def markdown(words: Callable[[tuple[str, ...]], str]) -> str:
    """docs/kinds.md: every kind, from this declaration. ``words`` gives a word key's English."""
    out = ["# Kinds of indicator and of record", "",
           "Made from `signatures/kinds.py` by `python tools/kinds_doc.py`;",
           "`tests/test_kinds.py` fails when this page is not current. How to add a kind:",
           "[architecture.md](architecture.md).", "",
           "## Indicator kinds (what a signature file may list)", "",
           "| Kind | Form | Matched against | Where it can match | Looked for | In words |",
           "|---|---|---|---|---|---|"]
    for k in INDICATOR_KINDS:
        where = ", ".join(k.platforms) or ("nowhere (phones)" if not k.looked_for else "see form")
        looked = ("no" if not k.looked_for else "its places are looked at" if k.probed else "yes")
        if k.asked_of:
            looked += "; in " + ", ".join(f"{rk}.{f}" for rk, f in k.asked_of)
        out.append(f"| `{k.name}` | {k.form} | {k.doc} | {where} | {looked} | {words(k.words)} |")
    out += ["", "All matching ignores upper and lower case. A scan never looks up a domain or contacts an "
            "address: domains are matched only against names already written on the machine.", "", "Forms:", ""]
    out += [f"- **{form}**: {what}" for form, what in FORMS.items()]
    out += ["", "## Record kinds (what sources collect)", "",
            "| Kind | Record (checks/records.py) | Collected from | In words |", "|---|---|---|---|"]
    for r in RECORD_KINDS:
        out.append(f"| `{r.name}` | `{r.record}` | {'a phone' if r.device == 'phone' else 'a computer'} | "
                   f"{words(r.place_name)} |")
    return "\n".join(out) + "\n"

