"""Privacy's REST resources."""
