"""Recording offsets as policies change, and the views of them."""
