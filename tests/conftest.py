"""Shared test set-up. Qt runs without a screen (the offscreen platform) in every test."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
