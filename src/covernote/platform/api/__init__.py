"""REST plumbing every context's router uses: the caller and context dependencies, and errors as problem documents."""
