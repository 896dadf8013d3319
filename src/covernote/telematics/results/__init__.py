"""The typed results of the telematics use cases, one module per concern."""
