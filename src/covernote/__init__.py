"""Covernote: policy administration for UK motor insurance."""

__version__ = "0.1.0"
