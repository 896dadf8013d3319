"""Loading and validating the product files (YAML) into the domain's product values."""
