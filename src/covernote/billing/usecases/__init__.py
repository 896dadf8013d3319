"""What a user or a job does about billing, over the ports."""
