"""Simulators of the outside systems behind the regulatory ports: the MID, CUE and a fraud prevention agency."""
