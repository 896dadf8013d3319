"""Persistence: product files, SQLAlchemy tables, repositories, unit of work, migrations."""
