"""Adapters for outside systems, each with a local simulator behind the same port."""
