"""Events of the workspaces that apps above react to (an event, never a way to fetch data)."""

from django.dispatch import Signal

# A member was removed from a workspace, inside the removing transaction.
# Arguments: membership (still loaded, about to be deleted), actor (User | None), why (str).
member_removed = Signal()
