"""Privacy's commands (`covernote privacy ...`)."""
