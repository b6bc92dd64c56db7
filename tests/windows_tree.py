"""A small Windows disk, built in a temporary folder: real hive files, shortcuts and task files.

``build(root, planted=True)`` writes what an ordinary Windows 10 laptop holds (Chrome, Edge and
their updaters, OneDrive, Teams, Spotify, Zoom, Defender, Windows' own tasks) for two people,
alex and sam. With ``planted`` it adds monitoring artefacts whose names come from the shipped
curated set (REFOG, Teramind, KidLogger, Elite Keylogger) and a program named like a part of
Windows starting from a user's AppData, so tests know exactly what a scan should report.
"""
from __future__ import annotations

import struct
from pathlib import Path

from .helpers import put as _put
from .hivewriter import VALUES, tree_from, write_hive

CHROME = r"C:\Program Files\Google\Chrome\Application\chrome.exe"



def put(root: Path, path: str, data: bytes | str = b"MZ") -> Path:
    return _put(root, path, data)          # a program file unless told otherwise


def lnk(target: str, arguments: str = "") -> bytes:
    """A shortcut as Windows writes one: header, LinkInfo with a local base path, arguments."""
    flags = 0x02 | 0x80 | (0x20 if arguments else 0)          # HasLinkInfo, IsUnicode, HasArguments
    header = struct.pack("<I16sIIQQQIIIHHII", 0x4C, bytes.fromhex("0114020000000000c000000000000046"),
                         flags, 0x20, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0)
    header = header.ljust(76, b"\0")
    base = target.encode("cp1252") + b"\0"
    volume = struct.pack("<IIII", 16, 3, 0x1234, 16) + b"\0"   # a fixed disk, no label
    info_header = 28
    volume_off = info_header
    base_off = volume_off + len(volume)
    suffix_off = base_off + len(base)
    size = suffix_off + 1
    info = struct.pack("<IIIIIII", size, info_header, 0x01, volume_off, base_off, 0, suffix_off) + volume + base + b"\0"
    strings = b""
    if arguments:
        strings = struct.pack("<H", len(arguments)) + arguments.encode("utf-16-le")
    return header + info + strings


def task_xml(command: str, arguments: str = "", trigger: str = "LogonTrigger", user: str = "S-1-5-18",
             enabled: bool = True) -> bytes:
    args = f"<Arguments>{arguments}</Arguments>" if arguments else ""
    text = (f'<?xml version="1.0" encoding="UTF-16"?>\n'
            f'<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">'
            f"<Triggers><{trigger}><Enabled>true</Enabled></{trigger}></Triggers>"
            f"<Principals><Principal id=\"Author\"><UserId>{user}</UserId></Principal></Principals>"
            f"<Settings><Enabled>{'true' if enabled else 'false'}</Enabled></Settings>"
            f'<Actions Context="Author"><Exec><Command>{command}</Command>{args}</Exec></Actions></Task>')
    return b"\xff\xfe" + text.encode("utf-16-le")


def _service(image: str, start: int, display: str | None = None, kind: int = 0x10, user: str = "LocalSystem"):
    values = {"Type": kind, "Start": start, "ImagePath": ("expand", image), "ObjectName": user}
    if display:
        values["DisplayName"] = display
    return values


def build(root: Path, planted: bool = True) -> Path:
    root = Path(root)
    for path in [CHROME, r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
                 r"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe",
                 r"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe",
                 r"C:\Windows\System32\SecurityHealthSystray.exe", r"C:\Windows\System32\svchost.exe",
                 r"C:\Windows\explorer.exe", r"C:\Windows\System32\defrag.exe",
                 r"C:\Users\alex\AppData\Local\Microsoft\OneDrive\OneDrive.exe",
                 r"C:\Users\alex\AppData\Local\Microsoft\Teams\Update.exe",
                 r"C:\Users\sam\AppData\Roaming\Spotify\Spotify.exe",
                 r"C:\Users\sam\AppData\Roaming\Zoom\bin\Zoom.exe"]:
        put(root, path)
    put(root, r"C:\Windows\System32\drivers\etc\hosts", "# Copyright (c) Microsoft Corp.\r\n")

    software = {
        r"Microsoft\Windows NT\CurrentVersion": {"ProductName": "Windows 10 Pro", "DisplayVersion": "22H2",
                                                 "CurrentBuild": "19045"},
        r"Microsoft\Windows NT\CurrentVersion\Winlogon": {"Shell": "explorer.exe",
                                                          "Userinit": "C:\\Windows\\system32\\userinit.exe,"},
        r"Microsoft\Windows NT\CurrentVersion\Windows": {"AppInit_DLLs": "", "LoadAppInit_DLLs": 0},
        r"Microsoft\Windows NT\CurrentVersion\Image File Execution Options\chrome.exe": {"MitigationOptions": b"\0" * 8},
        r"Microsoft\Windows\CurrentVersion\Run": {
            "SecurityHealth": ("expand", r"%windir%\system32\SecurityHealthSystray.exe")},
        r"Microsoft\Windows\CurrentVersion\Uninstall\Google Chrome": {
            "DisplayName": "Google Chrome", "DisplayVersion": "131.0.6778.86", "Publisher": "Google LLC",
            "InstallLocation": r"C:\Program Files\Google\Chrome\Application", "InstallDate": "20261101"},
        r"Microsoft\Windows\CurrentVersion\Uninstall\{23170F69-40C1-2702-2409-000001000000}": {
            "DisplayName": "7-Zip 24.09 (x64 edition)", "DisplayVersion": "24.09.00.0", "Publisher": "Igor Pavlov"},
        r"Microsoft\Windows\CurrentVersion\Uninstall\KB5044091": {"SystemComponent": 1},
        r"WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\Microsoft Edge": {
            "DisplayName": "Microsoft Edge", "DisplayVersion": "131.0.2903.70", "Publisher": "Microsoft Corporation"},
        r"WOW6432Node\Microsoft\Windows\CurrentVersion\Uninstall\Mozilla Firefox 132.0 (x64 en-GB)": {
            "DisplayName": "Mozilla Firefox (x64 en-GB)", "DisplayVersion": "132.0", "Publisher": "Mozilla"},
        r"Google\Chrome": {},
        r"Policies\Microsoft\Windows Defender": {},
    }
    system_services = {
        "WinDefend": _service(r'"C:\ProgramData\Microsoft\Windows Defender\platform\4.18.24090.11-0\MsMpEng.exe"', 2,
                              "Microsoft Defender Antivirus Service"),
        "Dnscache": _service(r"%SystemRoot%\system32\svchost.exe -k NetworkService -p", 2, "@%SystemRoot%\\System32\\dnsapi.dll,-101", 0x20, "NT AUTHORITY\\NetworkService"),
        "gupdate": _service(r'"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /svc', 2, "Google Update Service (gupdate)"),
        "edgeupdate": _service(r'"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /svc', 2,
                               "Microsoft Edge Update Service (edgeupdate)"),
        "disk": _service(r"System32\drivers\disk.sys", 0, kind=0x1),
    }
    alex = {r"Software\Microsoft\Windows\CurrentVersion\Run": {
                "OneDrive": r'"C:\Users\alex\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background',
                "com.squirrel.Teams.Teams": r'C:\Users\alex\AppData\Local\Microsoft\Teams\Update.exe --processStart "Teams.exe" --process-start-args "--system-initiated"'},
            r"Software\Microsoft\Windows\CurrentVersion\Uninstall\OneDriveSetup.exe": {
                "DisplayName": "Microsoft OneDrive", "DisplayVersion": "24.201.1006.0005", "Publisher": "Microsoft Corporation"},
            r"Software\Google\Chrome": {}}
    sam = {r"Software\Microsoft\Windows\CurrentVersion\Run": {
               "Spotify": r'"C:\Users\sam\AppData\Roaming\Spotify\Spotify.exe" --autostart --minimized'},
           r"Software\Microsoft\Windows\CurrentVersion\Uninstall\Spotify": {
               "DisplayName": "Spotify", "DisplayVersion": "1.2.50.335", "Publisher": "Spotify AB"},
           r"Software\Microsoft\Windows\CurrentVersion\Uninstall\ZoomUMX": {
               "DisplayName": "Zoom Workplace", "DisplayVersion": "6.2.11", "Publisher": "Zoom Video Communications, Inc."}}
    tasks = {
        r"GoogleUpdateTaskMachineCore{9C0F2C43-1F2A-4F4C-9E2B-6B1C7E0D2A11}": task_xml(
            r"C:\Program Files (x86)\Google\Update\GoogleUpdate.exe", "/c", "CalendarTrigger"),
        r"MicrosoftEdgeUpdateTaskMachineUA": task_xml(
            r"C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe", "/ua /installsource scheduler",
            "CalendarTrigger"),
        r"Microsoft\Windows\Defrag\ScheduledDefrag": task_xml(r"%windir%\system32\defrag.exe", "-c -h -o -$",
                                                              "CalendarTrigger"),
    }
    startup_all = r"C:\ProgramData\Microsoft\Windows\Start Menu\Programs\Startup"
    startup_alex = r"C:\Users\alex\AppData\Roaming\Microsoft\Windows\Start Menu\Programs\Startup"
    put(root, startup_alex + r"\desktop.ini", "[.ShellClassInfo]\r\n")

    if planted:
        # REFOG Personal Monitor: its Run value, program, folder, key and uninstall entry.
        software[r"Microsoft\Windows\CurrentVersion\Run"]["runrefog"] = r"C:\Windows\System32\MPK\mpk.exe /start"
        software[r"Refog Software\Personal Monitor"] = {"Version": "11.0"}
        software[r"Microsoft\Windows\CurrentVersion\Uninstall\REFOG Personal Monitor"] = {
            "DisplayName": "REFOG Personal Monitor", "DisplayVersion": "11.0.1", "Publisher": "REFOG"}
        put(root, r"C:\Windows\System32\MPK\mpk.exe")
        # Teramind's agent service, installed under a GUID folder in ProgramData.
        system_services["tsvchst"] = _service(
            r'"C:\ProgramData\{4CEC2908-5CE4-48F0-A717-8FC833D8017A}\svc\tsvchst.exe"', 2)
        put(root, r"C:\ProgramData\{4CEC2908-5CE4-48F0-A717-8FC833D8017A}\svc\tsvchst.exe")
        # KidLogger: a scheduled task that starts it when someone logs in, and a start-up shortcut.
        tasks["KidLogger"] = task_xml(r"C:\Program Files (x86)\KidLogger\kidlogger.exe", "-hide")
        put(root, r"C:\Program Files (x86)\KidLogger\kidlogger.exe")
        put(root, startup_all + r"\KidLogger.lnk", lnk(r"C:\Program Files (x86)\KidLogger\kidlogger_user.exe", "-tray"))
        # Elite Keylogger's key in sam's part of the registry.
        sam[r"Software\WideStep\EliteKeylogger"] = {"Installed": 1}
        # A program named like part of Windows, started from alex's AppData.
        alex[r"Software\Microsoft\Windows\CurrentVersion\Run"]["Windows Host"] = \
            r"C:\Users\alex\AppData\Roaming\Microsoft\svchost.exe -k netsvcs"
        put(root, r"C:\Users\alex\AppData\Roaming\Microsoft\svchost.exe")

    put(root, startup_alex + r"\Send to OneNote.lnk",
        lnk(r"C:\Program Files\Microsoft Office\root\Office16\ONENOTEM.EXE", "/tsr"))
    for name, data in tasks.items():
        put(root, "C:\\Windows\\System32\\Tasks\\" + name, data)

    system = {"Select": {VALUES: {"Current": 1, "Default": 1, "LastKnownGood": 1}},
              "ControlSet001": {"Services": {name: {VALUES: values} for name, values in system_services.items()},
                                "Control": {"Terminal Server": {VALUES: {"fDenyTSConnections": 1}}}}}
    config = root / "Windows" / "System32" / "config"
    config.mkdir(parents=True, exist_ok=True)
    write_hive(config / "SOFTWARE", tree_from(software), "ROOT")
    write_hive(config / "SYSTEM", system, "ROOT")
    write_hive(root / "Users" / "alex" / "NTUSER.DAT", tree_from(alex), "ROOT")
    write_hive(root / "Users" / "sam" / "NTUSER.DAT", tree_from(sam), "ROOT")
    (root / "Users" / "Public" / "Documents").mkdir(parents=True, exist_ok=True)
    return root
