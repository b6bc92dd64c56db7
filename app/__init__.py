"""Device Checkup's presenters: the command line (app.cli) and the desktop app (app.gui).

Every way of starting Device Checkup imports this package first, so this is where Python is
told not to write .pyc files (issue 14 item 9: an editable install used to leave 38 in the
app's folder). Nothing may be imported above this line.
"""
import sys

sys.dont_write_bytecode = True
