"""The policy's rules and values: the risk, rating, the effective-dated term, the transaction history, fees, cancellation and renewal. Pure."""
