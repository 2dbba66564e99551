"""Every write of the escalation app: case work (cases, interventions) and the sweep."""
