"""Saved results of the offline runs under tools/ (read: d2l.read_result)."""
