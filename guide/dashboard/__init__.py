"""The coordinator's dashboard: overdue follow-ups, waiting children, quiet cases."""
