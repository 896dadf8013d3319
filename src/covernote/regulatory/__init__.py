"""Regulatory reporting and fraud checks: the Motor Insurance Database (REG-1), the Claims and Underwriting Exchange (REG-2) and the fraud prevention agency (REG-3)."""
