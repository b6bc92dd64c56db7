"""Browser extensions named by signatures (by their store id), and powerful extensions that did
not come from the browser's store or were forced in by a policy (the ``powerful-extension``
heuristic)."""
from __future__ import annotations

from . import texts
from .i18n import _, and_list
from .base import Check, Context, Probe, ask, signature_findings
from .findings import Match
from .heuristics import finding

# Host patterns that mean "every website".
ALL_SITES = frozenset({"<all_urls>", "*://*/*", "http://*/*", "https://*/*", "*://*/", "http://*/",
                       "https://*/", "*://*", "http://*", "https://*"})
# Permissions that let an extension watch or change what a person does (Chrome and Firefox names).
POWERFUL = ("history", "webRequest", "webRequestBlocking", "proxy", "tabCapture", "desktopCapture",
            "debugger", "clipboardRead", "nativeMessaging")


def powers(permissions) -> list[str]:
    """The powerful things an extension may do, as keys of texts ``extension_powers``."""
    perms = set(permissions)
    all_sites = bool(perms & ALL_SITES)
    found = ["all_sites"] if all_sites else []
    found += [p for p in POWERFUL if p in perms]
    if all_sites and "cookies" in perms:
        found.append("cookies")
    if "webRequest" in found and "webRequestBlocking" in found:
        found.remove("webRequest")
    return found


def powerful_extension(ext) -> list[str]:
    """The powers that make ``ext`` worth a look, or [] (store extensions are left alone)."""
    if not (ext.by_policy or ext.from_store is False):
        return []
    if ext.by_system and not ext.by_policy:
        return []          # installed by the system's package manager (Debian's webext-*), for everyone
    return powers(ext.permissions)


class ExtensionsCheck(Check):
    id = "extensions"
    what = "browser extensions"

    def run(self, ctx: Context):
        out = []
        for ext in ctx.snapshot.of("extensions"):
            hits = ask(ctx, [Probe("extension_ids", "id", ext.id)])
            if hits:
                out += signature_findings(self.id, "extensions", ext, hits)
                continue
            found = powerful_extension(ext)
            if found:
                out.append(self._powerful(ext, found))
        return out

    def _powerful(self, ext, found: list[str]):
        origin = "both" if ext.by_policy and ext.from_store is False else ("policy" if ext.by_policy else "not_store")
        state = {True: "on", False: "off"}.get(ext.enabled, "unknown")
        perms = [p for p in ext.permissions if p in ALL_SITES or p in POWERFUL or p == "cookies"]
        # One whole sentence for each case, never pieces glued with " and ".
        if ext.by_policy and ext.from_store is False:
            words = _("powerful permissions ({permissions}), installed by policy and not from the browser's store")
        elif ext.by_policy:
            words = _("powerful permissions ({permissions}), installed by policy")
        elif ext.from_store is False:
            words = _("powerful permissions ({permissions}), not from the browser's store")
        else:
            words = _("powerful permissions ({permissions})")
        return finding("powerful-extension", self.id, "extensions", ext,
                       matched=[Match("heuristic", words.format(permissions=", ".join(perms)),
                                      ext.name, "permissions")],
                       value=ext.name, browser=ext.browser,
                       powers=and_list([texts.text("extension_powers", p) for p in found]),
                       origin=texts.text("extension_origin", origin),
                       state=texts.text("extension_state", state))
