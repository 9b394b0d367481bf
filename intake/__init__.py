"""The contact point's records and rules: people, consent, cases, triage."""
