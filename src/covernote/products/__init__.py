"""Products as versioned data (PRD-1): the product model, the catalogue of versions in force, and the product files that define them."""
