"""What the DPO, staff, customers and the daily jobs do with personal data."""
