"""Which tickets a person sees, and what of them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from klustera.helpdesk.models import Comment, Ticket
from klustera.roles import STAFF_ROLES, is_manager, roles_of


def tickets_visible_to(user: Any) -> QuerySet[Ticket]:
    """Managers see every ticket; staff theirs and their queues' open ones, and what they
    filed; residents what they reported or filed."""
    tickets = Ticket.objects.select_related("category", "unit", "assignee", "reporter")
    if is_manager(user):
        return tickets
    mine = Q(reporter=user) | Q(filed_by=user)
    queues = roles_of(user) & STAFF_ROLES
    if queues:
        mine |= Q(assignee=user) | Q(assignee__isnull=True, queue__in=queues)
    return tickets.filter(mine)


def access_ticket(user: Any, pk: Any) -> Ticket:
    """The ticket ``pk`` if ``user`` may see it (404 otherwise: its existence is not told)."""
    return get_object_or_404(tickets_visible_to(user), pk=pk)


def comments_for(user: Any, ticket: Ticket) -> QuerySet[Comment]:
    """The thread as ``user`` may read it: internal notes only for staff and managers."""
    comments = Comment.objects.filter(ticket=ticket)
    if is_manager(user) or roles_of(user) & STAFF_ROLES:
        return comments
    return comments.filter(internal=False)
