"""Which roles a page is for, beyond what the query layer already scopes and masks.

app.py offers a page only to these roles, and the page checks again (hiding is not enforcing).
"""

from __future__ import annotations

# Per-agent performance is the business of those who coach agents, not of policy staff.
REPORT_ROLES = frozenset({"qa_supervisor", "team_lead", "admin"})
