"""What a user or a job does with quotes and policies, over the ports."""
