"""Privacy's repositories and the data map read from the schema's declarations."""
