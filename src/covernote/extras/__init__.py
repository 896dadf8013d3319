"""Optional extras (ADD-1) with their commission (PAY-7), and NCD protection's price line."""
