"""Families' writes: absence reports, leave requests from parents, messages."""
