"""Checking a phone in the same appointment: an Android phone over USB (read-only) and an
iPhone backup already on this computer. Nothing here imports Qt, and nothing here changes the
phone: every command sent to an Android phone goes through :func:`checks.phone.adb.allowed`."""
