"""Policy documents (DOC-1, CMP-4, REG-5): issued once from templates, stored with their hashes, listed,
downloaded and posted on request."""
