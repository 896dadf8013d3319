"""The telematics context's SQL repositories, one module per concern."""
