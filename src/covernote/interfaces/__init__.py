"""What every context's command-line edge shares: error reporting (field and reason, exit status 2),
the context, the operator principal and printing. The Typer app in `covernote.cli` assembles the
commands; the context comes from the builder it registers (bootstrap), so no context reaches up."""
