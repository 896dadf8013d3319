"""The NCD rules. Pure."""
