"""Acme's billing automations, as the team wrote them."""
