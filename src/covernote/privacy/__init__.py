"""Privacy (PRV-1..11): the data map, consent, data subject requests, access packages, erasure, retention, legal holds, fraud markers, disclosures, breaches and encrypted sensitive fields."""
