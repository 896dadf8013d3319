"""The double-entry ledger (PAY-5): every penny of premium, tax, fee, payment and refund as a posting; statements and reconciliation; the card-payment provider."""
