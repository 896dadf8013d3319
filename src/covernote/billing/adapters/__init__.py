"""Outside systems billing talks to, each with a simulator behind the same port."""
