"""Covernote: policy administration for UK motor insurance."""
