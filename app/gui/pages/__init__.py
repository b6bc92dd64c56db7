"""The app's screens. Each exposes signals named for what the person wants; the window wires them."""
