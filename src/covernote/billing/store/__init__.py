"""SQLAlchemy Core repositories implementing billing's ports; they never commit."""
