"""Scheduled work (UX-3): the daily jobs run once, in order, and an opt-in in-process scheduler. An edge
layer, like cli and api: it is given a built context and calls use cases."""
