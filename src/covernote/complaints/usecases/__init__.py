"""Complaint use cases and the letters rendered from templates."""
