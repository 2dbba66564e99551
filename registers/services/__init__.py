"""Every write to attendance data goes through these modules."""
