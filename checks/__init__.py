"""Device Checkup's scan engine: sources read a machine, checks turn records into findings.

Nothing in this package imports Qt.
"""
__version__ = "0.1.0"
