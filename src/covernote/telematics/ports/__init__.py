"""The telematics context's ports: what its use cases need from storage and outside systems, one module per
concern (devices, scores, ...)."""
