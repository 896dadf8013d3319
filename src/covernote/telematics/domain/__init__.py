"""Telematics rules, pure: positions and their filters, journeys, speed limits, map matching, the score. They may
compute on Arrow tables and NumPy arrays (values in memory), never read or write files or databases."""
