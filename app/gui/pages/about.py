"""About: the signature set's version, counts, fingerprint, files, licences and attributions."""
from __future__ import annotations

from device_checkup.checks import i18n
from device_checkup.checks.i18n import _, say
from device_checkup.signatures.loader import file_words

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from device_checkup.checks import __version__, texts

from .. import words
from ..widgets import Page, bullets, heading, para


def _tier_label(tier: str) -> str:
    try:
        return texts.text("tiers", tier, "label")
    except KeyError:
        return tier


def describe_set(sigset) -> dict:
    """What the About page shows, as plain data (tested without Qt)."""
    counts = sigset.counts()
    files = []
    for sf in sigset.files:
        files.append({"name": sf.label, "version": sf.version, "license": sf.license,
                      "attribution": " ".join((sf.attribution or "").split()),
                      "families": len(sf.families), "added": sf.user_file, "sha256": sf.sha256})
    sources = sorted({url for fam in sigset.families for url in fam.source_urls})
    return {"families": counts["families"], "indicators": counts["laptop_indicators"],
            "phone_ids": counts["indicators"] - counts["laptop_indicators"],
            "by_tier": {_tier_label(t): n for t, n in counts["by_tier"].items()},
            "sha256": sigset.sha256, "files": files, "sources": sources,
            "problems": [f"{say(file_words(p.file))}:{p.line}: {say(p.words)}" for p in sigset.problems]}


class AboutPage(Page):
    back_clicked = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.ABOUT_TITLE, parent)
        self.setObjectName("aboutPage")
        self.text(_("Version {version}.").format(version=__version__))
        if i18n.language() != i18n.SOURCE:
            self.text(words.ABOUT_TRANSLATION)
        self.text(words.ABOUT_INTRO)
        self.area = QVBoxLayout()
        self.area.setSpacing(8)
        self.body.addLayout(self.area)
        self._widgets: list[QWidget] = []
        self.finish()
        self.back_button = QPushButton(words.BACK)
        self.back_button.setAccessibleName(_("Back"))
        self.back_button.setAutoDefault(False)
        self.back_button.clicked.connect(self.back_clicked)
        self.buttons.addWidget(self.back_button)
        self.buttons.addStretch(1)
        self.info: dict | None = None

    def _put(self, w: QWidget) -> QWidget:
        self.area.addWidget(w)
        self._widgets.append(w)
        return w

    def clear(self) -> None:
        for w in self._widgets:
            w.hide()
            w.setParent(None)
            w.deleteLater()
        self._widgets = []
        self.info = None

    def show_set(self, sigset, error: str = "") -> None:
        self.clear()
        if sigset is None:
            self._put(para(words.ABOUT_NOT_LOADED.format(why=error or _("unknown"))))
            return
        info = self.info = describe_set(sigset)
        self._put(heading(words.ABOUT_SET, 2))
        self._put(para(_("It knows {families} kinds of software, by {indicators} signs a laptop can show "
                         "(names, places and addresses they use).").format(
            families=info['families'], indicators=info['indicators'])))
        if info["phone_ids"]:
            self._put(para(_("It also keeps {count} names of phone apps, which a laptop check doesn't "
                             "look for.").format(count=info['phone_ids'])))
        self._put(bullets([_("{label}: {count}").format(label=label, count=n) for label, n in info["by_tier"].items()]))
        fp = para(_("Fingerprint of the built-in list (SHA-256): {sha256}").format(sha256=info['sha256']),
                  selectable=True)
        fp.setObjectName("setFingerprint")
        self._put(fp)
        self._put(heading(words.ABOUT_FILES, 2))
        for f in info["files"]:
            lines = [_("{name} (added by you)").format(name=f['name']) if f["added"] else f"{f['name']}"]
            if f["version"]:
                lines.append(_("Version: {version}").format(version=f['version']))
            lines.append(_("Kinds of software: {count}").format(count=f['families']))
            if f["license"]:
                lines.append(_("Licence: {licence}").format(licence=f['license']))
            if f["attribution"]:
                lines.append(_("Credit: {credit}").format(credit=f['attribution']))
            lab = para("\n".join(lines), selectable=True)
            lab.setObjectName("signatureFileInfo")
            self._put(lab)
        self._put(para(_("Each kind of software names the public pages its signs come from ({count} in "
                         "all); an advocate can see them in the technical details of a finding.").format(
            count=len(info['sources']))))
        if info["problems"]:
            self._put(heading(words.ABOUT_PROBLEMS, 2))
            self._put(para("\n".join(info["problems"]), selectable=True, style="problem"))
        self._put(heading(_("What stays on this laptop"), 2))
        self._put(para(_("Device Checkup saves no settings and keeps no history. The system's font "
                         "library may keep a list of fonts in your home folder, as it does for every "
                         "program; it says nothing about what Device Checkup found.")))
