"""What every context's use cases and edges share: the application context, the unit of work protocol, idempotency, paging, and the REST and CLI plumbing (problems, the caller, error reporting)."""
