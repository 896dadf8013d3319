"""The keyring: master keys for encryption at rest, kept outside the database."""
