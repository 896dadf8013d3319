"""Telematics use cases (issue 16)."""
