"""Use cases, one module per context, over the ports in ports.py."""
