"""What a user or a job does through a policy's life, over the ports."""
