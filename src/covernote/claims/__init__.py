"""Claims (CLM-1..4): first notification of loss, handling statuses, correspondence, documents, reserves and payments."""
