"""Pure domain: one package per context. No I/O, no frameworks."""
