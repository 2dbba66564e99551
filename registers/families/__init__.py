"""Families: contacts' messages, parents' absence reports, and the providers that send.

A sub-app of the registers layer (app label `families`): it imports registers and the
project's foundation only, never escalation or reporting, which call it instead
(docs/development.md, "Layers").
"""
