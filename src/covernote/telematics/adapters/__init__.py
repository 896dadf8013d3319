"""Telematics adapters: the Parquet store of positions (pyarrow, DuckDB), the OpenStreetMap loader (osmium), the
Traccar position-forwarding reader."""
