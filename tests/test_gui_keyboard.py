"""Keyboard and screen readers: Tab walks every page top to bottom and comes back to the start,
a table is one Tab stop, each page's Alt-letters are unique and do what they say, findings are
expandable items (never check boxes), and help comes first on Get help."""
from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QCheckBox, QLabel

from tests.gui_fixtures import every_tier_sources, make_scan, make_window  # noqa: F401 (fixture)

pytestmark = pytest.mark.gui


def walk_tabs(w, limit=400):
    """Press Tab from the first widget until focus comes back to it; the widgets in order."""
    start = QApplication.focusWidget()
    assert start is not None, "nothing has the focus"
    seen = [start]
    for _ in range(limit):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        now = QApplication.focusWidget()
        if now is start:
            return seen
        assert now is not None and now not in seen, f"Tab went back to {now} before the start"
        seen.append(now)
    raise AssertionError("Tab never came back to the start")


def mnemonics(w) -> list[str]:
    """The Alt-letters on screen now: buttons and labels that have a buddy."""
    letters = []
    for widget in w.findChildren(QAbstractButton) + w.findChildren(QLabel):
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.buddy() is None:
            continue
        m = re.search(r"&([^&])", widget.text().replace("&&", ""))
        if m:
            letters.append(m.group(1).lower())
    return letters


def check_page(w, page):
    top = w.top
    w.activateWindow()
    QApplication.processEvents()
    top.help_button.setFocus() if top.help_button.isVisible() else top.exit_button.setFocus()
    chain = walk_tabs(w)
    # Top bar first, then the page's content top to bottom, then its buttons.
    assert chain[0] in (top.help_button, top.exit_button)
    holder = page.scroll.widget()
    content = [c for c in chain if holder.isAncestorOf(c)]
    ys = [c.mapTo(holder, c.rect().topLeft()).y() for c in content]
    assert ys == sorted(ys), [(type(c).__name__, c.accessibleName(), y) for c, y in zip(content, ys)]
    buttons = [c for c in chain if not holder.isAncestorOf(c) and c not in (top.help_button, top.exit_button)
               and page.isAncestorOf(c)]
    if content and buttons:
        assert chain.index(buttons[0]) > chain.index(content[-1])
    letters = mnemonics(w)
    assert len(letters) == len(set(letters)), letters
    return chain, content


def test_every_page_tabs_top_to_bottom_and_back(qtbot, make_window):
    w = make_window(scan=make_scan(every_tier_sources()))
    check_page(w, w.welcome)
    w.welcome.advocate.setChecked(True)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    assert w.current_page() is w.session_page
    check_page(w, w.session_page)
    qtbot.mouseClick(w.session_page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    chain, content = check_page(w, w.results)
    # The table is one stop; the findings, their details and the not-checked details come after it.
    table = w.results.table
    assert chain.count(table) == 1
    folds = [c.fold.button for c in w.results.cards]
    assert all(f in chain for f in folds) and chain.index(table) < chain.index(folds[0])
    # The first Tab on results goes to the top bar, then into the page, never to About first.
    assert chain.index(w.results.about_button) > chain.index(folds[-1])
    # Open a finding: its notes and technical details join the walk, in place.
    card = w.results.cards[0]
    card.fold.set_open(True)
    card.details.set_open(True)
    w.results.order_tabs()
    chain, content = check_page(w, w.results)
    details = card.findChild(QLabel, "findingDetails")
    assert card.notes.text in chain
    assert details in chain, [(type(c).__name__, c.accessibleName()[:30]) for c in chain]
    assert chain.index(card.fold.button) < chain.index(card.details.button) < chain.index(details)
    # Each focused widget is scrolled into view.
    for c in content:
        c.setFocus()
        QApplication.processEvents()
        view = w.results.scroll.viewport()
        top_left = c.mapTo(view, c.rect().topLeft())
        assert top_left.y() < view.height() and top_left.y() + c.height() > 0, c.accessibleName()
    # Get help: every phone number can be reached by Tab.
    w.show_support()
    w.support.choose_region("uk-merseyside")
    w.support.order_tabs()
    chain, _ = check_page(w, w.support)
    for number in (n for b in w.support.boxes for n in b.numbers):
        assert number in chain, number.text()
    w.show_about()
    check_page(w, w.about)
    w.show_signatures()
    check_page(w, w.signatures)


def test_the_table_is_one_tab_stop_with_arrows_inside(qtbot, make_window):
    w = make_window(scan=make_scan(every_tier_sources()))
    w.welcome.advocate.setChecked(True)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(w.session_page.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    table = w.results.table
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    QTest.keyClick(table, Qt.Key.Key_Down)
    assert table.currentIndex().row() == 1
    QTest.keyClick(table, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not table
    table.setFocus()
    QTest.keyClick(table, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is not table


def test_alt_a_chooses_the_advocate_and_alt_s_then_opens_the_appointment(qtbot, make_window):
    w = make_window()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=3000)
    w.welcome.own.setFocus()
    assert mnemonics(w).count("a") == 1, mnemonics(w)
    QTest.keyClick(w.welcome.own, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: w.welcome.advocate.isChecked(), timeout=3000)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: w.current_page() is w.session_page, timeout=3000)
    assert not w.runner.running()


def test_findings_are_expandable_items_not_check_boxes(qtbot, make_window):
    w = make_window(scan=make_scan(every_tier_sources()))
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    assert w.results.cards
    for card in w.results.cards:
        b = card.fold.button
        assert not b.isCheckable() and not isinstance(b, QCheckBox)
        assert b.accessibleName() == f"{card.finding.title} (collapsed)"
        QTest.keyClick(b, Qt.Key.Key_Space)
        assert card.fold.is_open() and b.accessibleName().endswith("(expanded)")


def test_help_stays_first_when_a_local_area_is_chosen(qtbot, make_window):
    w = make_window()
    w.show_support()
    for region in w.support.data.regions:
        w.support.choose_region(region.id)
        numbers = [n.text() for b in w.support.boxes for n in b.numbers]
        if region.id.startswith("uk"):
            assert numbers[:2] == ["999", "999, then press 55"], (region.id, numbers[:3])
            national = [b.service.name for b in w.support.boxes][:len(w.support.data.region("uk").services)]
            assert national == [s.name for s in w.support.data.region("uk").services]
    w.support.choose_region("uk-merseyside")
    assert "07802 722703" in [n.text() for b in w.support.boxes for n in b.numbers]


@pytest.mark.parametrize("point_size", [None, 18.0])
def test_every_page_fits_a_1024_by_600_screen_with_its_buttons(qtbot, make_window, qapp, point_size):
    """Large text included: no page asks for more room than a small laptop has; the page scrolls."""
    from PySide6.QtGui import QFont
    before = QFont(qapp.font())
    if point_size:
        big = QFont(before)
        big.setPointSizeF(point_size)
        qapp.setFont(big)
    try:
        w = make_window(scan=make_scan(every_tier_sources()))
        free = w.screen().availableGeometry()
        assert free.contains(w.frameGeometry()) or w.width() <= free.width()
        w.welcome.advocate.setChecked(True)
        pages = [w.welcome, w.session_page, w.support, w.about, w.signatures]
        for page in pages:
            w.show_page(page)
            QApplication.processEvents()
            hint = w.minimumSizeHint()
            assert hint.width() <= 1024 and hint.height() <= 560, (page.objectName(), hint)
        w.begin("advocate")
        qtbot.mouseClick(w.session_page.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
        for card in w.results.cards:
            card.fold.set_open(True)
            card.details.set_open(True)
        QApplication.processEvents()
        hint = w.minimumSizeHint()
        assert hint.width() <= 1024 and hint.height() <= 560, ("results", hint)
        for b in (w.results.save_button, w.results.again_button, w.results.end_button):
            assert b.isVisible() and not w.results.scroll.isAncestorOf(b)
    finally:
        qapp.setFont(before)


def test_page_down_scrolls_about_from_its_buttons(qtbot, make_window):
    w = make_window()
    w.resize(700, 420)          # small enough that About scrolls
    w.show_about()
    QApplication.processEvents()
    bar = w.about.scroll.verticalScrollBar()
    assert bar.maximum() > 0
    w.activateWindow()
    w.about.back_button.setFocus()
    QTest.keyClick(w.about.back_button, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    QTest.keyClick(w.about.back_button, Qt.Key.Key_PageUp)
    assert bar.value() == 0


def test_screen_readers_get_headings_to_move_between(qtbot, make_window):
    from PySide6.QtGui import QAccessible
    w = make_window(scan=make_scan(every_tier_sources()))
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    headings = [l for l in w.results.findChildren(QLabel) if l.property("heading") and l.isVisible()]
    assert len(headings) >= 5
    for label in headings:
        iface = QAccessible.queryAccessibleInterface(label)
        assert iface.role() == QAccessible.Role.Heading and iface.text(QAccessible.Text.Name)
    plain = w.results.headline
    assert QAccessible.queryAccessibleInterface(plain).role() != QAccessible.Role.Heading
    w.check_again()          # the old headings are destroyed; their interfaces go with them
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)


def test_the_scan_and_compare_pages_tab_and_have_unique_letters(qtbot, make_window, tmp_path):
    import json
    from tests.gui_fixtures import FakeDialogs, WaitingSource, spy_sources
    waiting = WaitingSource()
    earlier = tmp_path / "earlier.json"
    dialogs = FakeDialogs(earlier=str(earlier))
    w = make_window(scan=make_scan([*spy_sources(), waiting]), dialogs=dialogs)
    qtbot.mouseClick(w.welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(waiting.started.is_set, timeout=15000)
    assert w.current_page() is w.scan_page
    chain, _ = check_page(w, w.scan_page)
    assert w.scan_page.cancel_button in chain
    waiting.release.set()
    qtbot.waitUntil(lambda: w.current_page() is w.results, timeout=15000)
    earlier.write_text(json.dumps(w.result.to_json_data()))
    qtbot.mouseClick(w.results.compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.current_page() is w.compare_page, timeout=15000)   # read off the GUI thread
    chain, _ = check_page(w, w.compare_page)
    assert w.compare_page.back_button in chain
