"""Products' rules and values: covers, extras, fees, rules, rating tables, retention and carbon settings. Pure."""
