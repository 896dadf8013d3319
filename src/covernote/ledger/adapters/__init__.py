"""Outside systems of the ledger: the card-payment provider (a simulator behind the PaymentGateway port)."""
