"""The `covernote` command (UX-3)."""
