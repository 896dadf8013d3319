"""Privacy: data subject request clocks, retention rules and the personal data map (PRV-*)."""
