"""The telematics context's commands, one module per concern; cli/main.py mounts them under `covernote telematics`."""
