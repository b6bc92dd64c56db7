"""The findings of a scan as a read-only Qt table model (checked with pytest-qt's qtmodeltester).

Nothing is decided here: rows are the engine's findings in the engine's order (most serious
first), in the engine's words.
"""
from __future__ import annotations

from device_checkup.checks.i18n import N_, _, ngettext

from typing import Any, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from device_checkup.checks.base import shown_value
from device_checkup.checks.inert import shown

from . import words
from .widgets import plain_tip

SEVERITY, TITLE, WHERE = range(3)
HEADERS = {SEVERITY: N_("How serious"), TITLE: N_("What we found"), WHERE: N_("Where")}

_Index = QModelIndex | QPersistentModelIndex


def where_words(finding) -> str:
    """The first place a finding rests on, in a few words, and how many more there are."""
    if not finding.evidence:
        return ""
    first = finding.evidence[0]
    try:
        text = shown_value(first.record_kind, first.record)
    except Exception:  # noqa: BLE001 - an odd record must not break the table
        text = str(first.record)
    more = len(finding.evidence) - 1
    if more:
        return ngettext("{place} (and {count} more place)", "{place} (and {count} more places)", more).format(
            place=text, count=more)
    return text


class FindingsModel(QAbstractTableModel):
    """Read-only: severity in words, title, where. ``finding(row)`` gives the Finding."""

    FindingRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, findings: Sequence[Any] = (), parent=None):
        super().__init__(parent)
        self._findings: list[Any] = list(findings)

    def set_findings(self, findings: Sequence[Any]) -> None:
        self.beginResetModel()
        self._findings = list(findings)
        self.endResetModel()

    def clear(self) -> None:
        self.set_findings([])

    def finding(self, row: int):
        return self._findings[row]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802 (Qt name)
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _(HEADERS[section]) if section in HEADERS else None
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._findings)):
            return None
        f = self._findings[index.row()]
        col = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            text = None
            if col == SEVERITY:
                text = words.severity(f.severity)
            elif col == TITLE:
                text = f.title
            elif col == WHERE:
                text = where_words(f)
            if text is None:
                return None
            # Inert, and a tooltip is never rich text (a planted name could draw a fake banner).
            return plain_tip(text) if role == Qt.ItemDataRole.ToolTipRole else shown(text)
        if role == self.FindingRole:
            return f
        return None
