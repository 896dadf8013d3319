"""Identity: users, API tokens and roles, and who may do what (SEC-1)."""
