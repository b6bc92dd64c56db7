"""The app's style sheet. Colours are only set where text colour is set with them (so they read
in light, dark and high-contrast themes); everything else comes from the system palette."""

STYLE = """
QPushButton[style="danger"] {
    background-color: #b3261e; color: #ffffff; font-weight: bold;
    border: 2px solid #7f1a15; border-radius: 6px; padding: 6px 18px;
}
QPushButton[style="danger"]:hover { background-color: #8f1e18; }
QPushButton[style="danger"]:pressed { background-color: #6f1712; }
QPushButton[style="danger"]:focus { border: 3px solid #ffbf47; }

QPushButton[style="disclosure"] {
    text-align: left; font-weight: bold; padding: 6px 4px;
    border: 2px solid transparent; border-radius: 4px; background: transparent;
}
QPushButton[style="disclosure"]:hover { border: 2px solid palette(mid); }
QPushButton[style="disclosure"]:focus { border: 2px solid palette(highlight); }

QPushButton[style="details"] {
    text-align: left; padding: 4px; border: 2px solid transparent; border-radius: 4px;
    background: transparent;
}
QPushButton[style="details"]:hover { border: 2px solid palette(mid); }
QPushButton[style="details"]:focus { border: 2px solid palette(highlight); }

QLabel[style="subtle"] { font-style: italic; }

QFrame[style="card"] {
    border: 1px solid palette(mid); border-radius: 6px; background: palette(base);
}
/* Qt draws a one-sided border only with the style set explicitly. */
QFrame[style="tier-high"]   { border-style: solid; border-width: 0px 0px 0px 6px; border-color: #b3261e; padding-left: 8px; }
QFrame[style="tier-medium"] { border-style: solid; border-width: 0px 0px 0px 6px; border-color: #9a6700; padding-left: 8px; }
QFrame[style="tier-low"]    { border-style: solid; border-width: 0px 0px 0px 6px; border-color: #2f5d8a; padding-left: 8px; }

QLabel[style="badge-high"]   { background-color: #b3261e; color: #ffffff; border-radius: 4px; padding: 2px 8px; font-weight: bold; }
QLabel[style="badge-medium"] { background-color: #7a5200; color: #ffffff; border-radius: 4px; padding: 2px 8px; font-weight: bold; }
QLabel[style="badge-low"]    { background-color: #2f5d8a; color: #ffffff; border-radius: 4px; padding: 2px 8px; font-weight: bold; }

QLabel[style="headline"] { font-weight: bold; }
QLabel[style="problem"] { font-family: monospace; }
QFrame[style="panel"] {
    border: 1px solid palette(mid); border-radius: 6px; padding: 8px;
}
"""
