"""The clock engine: every regulatory or promised deadline, computed one way; the due-soon and overdue report and each team's figures."""
