"""Small widgets every screen uses: the top bar with Get help and Exit, headings, paragraphs,
folding sections and scrolling pages. Styling is by ``setProperty("style", …)`` and the style
sheet in ``style.py``; sizes follow the system font, so large text settings are respected.
"""
from __future__ import annotations

from device_checkup.checks.i18n import _

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAccessible, QAccessibleEvent, QFont, QKeySequence, QShortcut

try:  # Qt 6.8+: a real announcement, like an ARIA live region
    from PySide6.QtGui import QAccessibleAnnouncementEvent
except ImportError:  # pragma: no cover
    QAccessibleAnnouncementEvent = None
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAccessibleWidget, QApplication,
                               QComboBox,
                               QFrame, QHBoxLayout, QLabel, QLayout, QLineEdit, QPlainTextEdit, QPushButton, QScrollArea,
                               QSizePolicy, QTextEdit, QVBoxLayout, QWidget)

from device_checkup.checks.inert import shown

from . import words
from .quick_exit import progress_words


def plain_tip(text: str) -> str:
    """A tooltip that shows ``text`` as it is: Qt renders any tooltip that looks like HTML as
    rich text (a planted ``<img src=…>`` name would draw a picture), so the text is made inert
    and escaped into a paragraph of its own."""
    from PySide6.QtGui import Qt as QtGuiNamespace
    return QtGuiNamespace.convertFromPlainText(shown(text, keep_lines=True))


def scaled_font(base: QFont, factor: float, bold: bool = False) -> QFont:
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(max(1, round(base.pixelSize() * factor)))
    font.setBold(bold)
    return font


class ExitButton(QPushButton):
    """The red quick-exit button. Screen readers hear "Emergency exit"."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(words.EXIT, parent)
        self.setObjectName("exitButton")
        self.setAccessibleName(words.EXIT_NAME)
        self.setAccessibleDescription(words.EXIT_DESCRIPTION)
        self.setToolTip(words.EXIT_DESCRIPTION)
        self.setAutoDefault(False)
        self.setDefault(False)
        self.setProperty("style", "danger")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)


class ShiftStatus(QLabel):
    """A quiet line that says how many more Shift presses will exit; announced to screen readers."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("", parent)
        self.setObjectName("shiftStatus")
        self.setProperty("style", "subtle")
        # One line, as wide as its words: a wrapped label in a one-line slot was cut in half.
        self.setWordWrap(False)
        self.setAccessibleName(_("Quick exit status"))
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Minimum)

    def show_remaining(self, remaining: int, presses: int = 3) -> None:
        text = "" if remaining >= presses else progress_words(remaining)
        self.setText(text)
        self.setAccessibleName(text or _("Quick exit status"))
        if text:
            # Screen readers hear the count at once (an announcement where Qt has them, else a
            # name change), like GOV.UK's "Shift, press 2 more times to exit".
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.NameChanged))
            if QAccessibleAnnouncementEvent is not None:
                event = QAccessibleAnnouncementEvent(self, text)
                event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive)
                QAccessible.updateAccessibility(event)


class TopBar(QWidget):
    """Device Checkup's name, Get help and Exit: at the top of every screen."""

    help_clicked = Signal()
    exit_clicked = Signal()

    def __init__(self, parent: QWidget | None = None, *, with_help: bool = True):
        super().__init__(parent)
        self.setObjectName("topBar")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(12, 8, 12, 4)
        row = QHBoxLayout()
        self.name_label = QLabel(words.APP_NAME)
        self.name_label.setFont(scaled_font(self.font(), 1.1, bold=True))
        self.name_label.setAccessibleName(words.APP_NAME)
        row.addWidget(self.name_label)
        row.addStretch(1)
        self.help_button = None
        if with_help:
            self.help_button = QPushButton(words.HELP)
            self.help_button.setObjectName("helpButton")
            self.help_button.setAccessibleName(_("Get help"))
            self.help_button.setAccessibleDescription(words.HELP_DESCRIPTION)
            self.help_button.setAutoDefault(False)
            self.help_button.clicked.connect(self.help_clicked)
            row.addWidget(self.help_button)
        self.exit_button = ExitButton()
        self.exit_button.clicked.connect(self.exit_clicked)
        row.addWidget(self.exit_button)
        outer.addLayout(row)
        self.shift_status = ShiftStatus()
        outer.addWidget(self.shift_status, 0, Qt.AlignmentFlag.AlignRight)


class _HeadingAccessible(QAccessibleWidget):
    """What a screen reader is told about a heading label: the role Heading, so it can move
    from heading to heading (a QLabel alone is only static text)."""

    def __init__(self, widget: QWidget):
        super().__init__(widget, QAccessible.Role.Heading)

    def text(self, kind):  # noqa: D102 (Qt name)
        if kind == QAccessible.Text.Name:
            w = self.widget()
            return w.accessibleName() or w.text()
        return super().text(kind)


_HEADINGS: dict[int, _HeadingAccessible] = {}   # kept until their label is destroyed (on the GUI thread)
_factory_installed = False


def _heading_factory(key: str, obj):
    if isinstance(obj, QLabel) and obj.property("heading"):
        iface = _HEADINGS.get(id(obj))
        if iface is None:
            iface = _HEADINGS[id(obj)] = _HeadingAccessible(obj)
            obj.destroyed.connect(lambda *_a, k=id(obj): _HEADINGS.pop(k, None))
        return iface
    return None


def _install_heading_role() -> None:
    global _factory_installed
    if not _factory_installed:
        QAccessible.installFactory(_heading_factory)
        _factory_installed = True


def heading(text: str, level: int = 1) -> QLabel:
    text = shown(text)                     # names from the machine may be in a title
    _install_heading_role()
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    factor = {1: 1.6, 2: 1.3, 3: 1.1}.get(level, 1.0)
    label.setFont(scaled_font(label.font(), factor, bold=True))
    label.setAccessibleName(text)
    label.setProperty("heading", level)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def para(text: str, *, selectable: bool = False, style: str | None = None) -> QLabel:
    """A word-wrapped paragraph. ``selectable`` adds keyboard selection (a tab stop): use it for
    things a person may want to copy, like phone numbers. Always plain text, made inert
    (``checks.inert.shown``): paragraphs show names and paths from the machine."""
    text = shown(text, keep_lines=True)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    flags = Qt.TextInteractionFlag.TextSelectableByMouse
    if selectable:
        flags |= Qt.TextInteractionFlag.TextSelectableByKeyboard
    label.setTextInteractionFlags(flags)
    if selectable:   # after the flags: Qt gives keyboard-selectable text click focus only, out of Tab's reach
        label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    label.setAccessibleName(text)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if style:
        label.setProperty("style", style)
    return label


def _marked(items: list[str], marks: list[str], spacing: int) -> QWidget:
    """Paragraphs one under the other, each with its mark (a bullet, a number) beside it."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    for mark, item in zip(marks, items):
        row = QHBoxLayout()
        label = QLabel(mark)
        label.setAlignment(Qt.AlignmentFlag.AlignTop)
        label.setAccessibleName("")
        row.addWidget(label, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(para(item), 1)
        layout.addLayout(row)
    return box


def bullets(items: list[str]) -> QWidget:
    return _marked(items, ["•"] * len(items), 4)


def numbered(items: list[str]) -> QWidget:
    """Numbered steps, the number beside its words (not a bullet too)."""
    return _marked(items, [f"{i}." for i in range(1, len(items) + 1)], 6)


class WrapButton(QPushButton):
    """A push button whose words wrap onto more lines instead of being cut off (long finding
    titles, large fonts). The words are drawn by a label inside; the button keeps the focus,
    the keyboard handling and the accessible name."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.set_words(text)

    def set_words(self, text: str) -> None:
        self.label.setText(shown(text))
        self.updateGeometry()

    def words(self) -> str:
        return self.label.text()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt name)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return self.layout().totalHeightForWidth(width)

    def sizeHint(self) -> QSize:  # noqa: N802
        hint = self.layout().totalSizeHint()
        return QSize(hint.width(), self.heightForWidth(hint.width()))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        m = self.layout().contentsMargins()
        return QSize(self.fontMetrics().averageCharWidth() * 12 + m.left() + m.right(),
                     self.fontMetrics().height() + m.top() + m.bottom())


class Foldable(QWidget):
    """A button that shows or hides what is under it (keyboard: Tab to it, Space to open).

    The button is a plain push button, not a checkable one, so screen readers announce an
    expandable item ("button, collapsed") and never a check box; the state is in its name."""

    toggled = Signal(bool)

    def __init__(self, title: str, body: QWidget, *, style: str = "disclosure", parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        self.body = body
        self._open = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.button = WrapButton()
        self.button.setAutoDefault(False)
        self.button.setProperty("style", style)
        self.button.setProperty("expandable", True)
        if style == "disclosure":
            self.button.label.setFont(scaled_font(self.button.font(), 1.0, bold=True))
        self.button.clicked.connect(lambda: self.set_open(not self._open))
        layout.addWidget(self.button)
        layout.addWidget(body)
        self._show(False)

    def is_open(self) -> bool:
        return self._open

    def set_open(self, open_: bool) -> None:
        if open_ != self._open:
            self._show(open_)
            self.toggled.emit(open_)

    def _show(self, open_: bool) -> None:
        self._open = open_
        self.body.setVisible(open_)
        self.button.set_words(("▾  " if open_ else "▸  ") + self.title)
        self.button.setAccessibleName((_("{title} (expanded)") if open_ else _("{title} (collapsed)")).format(
            title=self.title))
        self.button.setAccessibleDescription(_(_("Expanded: press Space to hide the details.")) if open_
                                             else _("Collapsed: press Space to show the details."))
        QAccessible.updateAccessibility(QAccessibleEvent(self.button, QAccessible.Event.NameChanged))


# Widgets whose insides take the arrow keys: one Tab stop each, never walked into.
_LEAVES = (QAbstractItemView, QComboBox, QLineEdit, QTextEdit, QPlainTextEdit, QAbstractButton, QAbstractSlider)


def tab_chain(layout) -> list[QWidget]:
    """The widgets that take Tab, in the order their layouts show them (top to bottom).

    The order comes from ``layout.indexOf`` over the layout's widgets and child layouts; no
    QLayoutItem is ever asked for: PySide's wrappers of the items ``itemAt`` returns were freed
    with the C++ items still in use, which crashed the app on "Check again"
    (tests/test_stress_app.py)."""
    out: list[QWidget] = []
    if layout is None:
        return out
    members = []
    owner = layout.parentWidget()
    if owner is not None:
        for w in owner.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            i = layout.indexOf(w)
            if i >= 0:
                members.append((i, w))
    for sub in layout.children():
        if isinstance(sub, QLayout):
            i = layout.indexOf(sub)
            if i >= 0:
                members.append((i, sub))
    for _position, m in sorted(members, key=lambda t: t[0]):
        if isinstance(m, QLayout):
            out.extend(tab_chain(m))
            continue
        if m.focusPolicy() & Qt.FocusPolicy.TabFocus:
            out.append(m)
        if not isinstance(m, _LEAVES):
            out.extend(tab_chain(m.layout()))
    return out


def fit_to_screen(window: QWidget, preferred: QSize = QSize(880, 720)) -> None:
    """Open at the preferred size, or smaller to fit the screen's free area (taskbars left
    out), and inside it: on a 1024×600 screen every button stays on the screen."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        window.resize(preferred)
        return
    free = screen.availableGeometry()
    frame_w = max(0, window.frameGeometry().width() - window.geometry().width()) or 16
    frame_h = max(0, window.frameGeometry().height() - window.geometry().height()) or 40
    width = min(preferred.width(), free.width() - frame_w)
    height = min(preferred.height(), free.height() - frame_h)
    window.setMinimumSize(min(window.minimumWidth(), width), min(window.minimumHeight(), height))
    window.resize(width, height)
    window.move(free.x() + max(0, (free.width() - width - frame_w) // 2),
                free.y() + max(0, (free.height() - height - frame_h) // 2))


class Page(QWidget):
    """A screen: a heading and word-wrapped content in a scroll area, buttons below it."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = title
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        holder = QWidget()
        hl = QHBoxLayout(holder)
        hl.setContentsMargins(24, 8, 24, 16)
        self.content = QWidget()
        self.content.setObjectName("pageContent")
        # Lines of about 70 characters read best; wider windows get margins, not longer lines.
        self.content.setMaximumWidth(max(520, self.fontMetrics().averageCharWidth() * 80))
        self.body = QVBoxLayout(self.content)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(10)
        hl.addStretch(0)
        hl.addWidget(self.content, 1)
        hl.addStretch(0)
        self.scroll.setWidget(holder)
        outer.addWidget(self.scroll, 1)
        self.title_label = heading(title, 1)
        self.body.addWidget(self.title_label)
        self.buttons = QHBoxLayout()
        self.buttons.setContentsMargins(24, 6, 24, 12)
        outer.addLayout(self.buttons)
        # Focus moved by Tab is scrolled into view; Page Up/Down scroll pages with little to focus.
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_moved)
        for keys, step in ((QKeySequence.StandardKey.MoveToNextPage, 1), (QKeySequence.StandardKey.MoveToPreviousPage, -1)):
            sc = QShortcut(QKeySequence(keys), self, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(lambda step=step: self._page_step(step))

    def _page_step(self, step: int) -> None:
        bar = self.scroll.verticalScrollBar()
        bar.setValue(bar.value() + step * bar.pageStep())

    def _focus_moved(self, _old, new) -> None:
        holder = self.scroll.widget()
        if new is not None and holder is not None and holder.isAncestorOf(new):
            self.scroll.ensureWidgetVisible(new, 16, 48)

    def order_tabs(self) -> list[QWidget]:
        """Tab goes through the page top to bottom: the top bar, the content, the buttons."""
        chain: list[QWidget] = []
        top = self.window().findChild(TopBar) if self.window() is not self else None
        if top is not None:
            chain += [b for b in (top.help_button, top.exit_button) if b is not None]
        chain += tab_chain(self.body)
        outer = self.layout()                   # the rows of buttons under the scrolling content
        for sub in sorted((c for c in outer.children() if isinstance(c, QLayout)), key=outer.indexOf):
            chain += tab_chain(sub)
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)
        return chain

    def showEvent(self, event) -> None:  # noqa: N802 (Qt name)
        super().showEvent(event)
        self.order_tabs()

    def finish(self) -> None:
        """Call after adding content: pushes it to the top."""
        self.body.addStretch(1)

    def section(self, title: str, level: int = 2) -> QLabel:
        label = heading(title, level)
        self.body.addSpacing(6)
        self.body.addWidget(label)
        return label

    def add(self, widget: QWidget, *, left: bool = False) -> QWidget:
        if left:
            self.body.addWidget(widget, 0, Qt.AlignmentFlag.AlignLeft)
        else:
            self.body.addWidget(widget)
        return widget

    def text(self, text: str, **kw) -> QLabel:
        label = para(text, **kw)
        self.body.addWidget(label)
        return label
