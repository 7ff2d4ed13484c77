"""Named predicates: what a user may *do*. Visibility is ``scoping``'s job.

A view first fetches the object through a scoped selector (404 when out of scope), then asks
one of these; a ``False`` answer is a 403 with a Vietnamese message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from antq.accounts.roles import Role
from antq.accounts.scoping import ward_ids_for
from antq.registry.models import Unit

# Fields a unit's own security officer may keep up to date; identity, type and location of
# the unit are the department's.
UNIT_SELF_SERVICE_FIELDS = (
    "address",
    "headcount",
    "phone",
    "email",
    "security_contact_name",
    "security_contact_phone",
    "head_name",
    "head_title",
    "notes",
)


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_manage_registry(user: Any) -> bool:
    """Create units, import them, close them, edit any field."""
    return _active(user) and user.role in (Role.ADMIN, Role.DEPARTMENT)


def can_edit_unit(user: Any, unit: Unit) -> bool:
    """Edit a unit the user can already see."""
    if can_manage_registry(user):
        return True
    if not _active(user):
        return False
    if user.role == Role.WARD_OFFICER:
        return True  # the unit is visible, hence in one of his wards
    return user.role == Role.UNIT_OFFICER and user.unit_id == unit.pk


def unit_editable_fields(user: Any, unit: Unit) -> tuple[str, ...] | None:
    """The fields the user may change; ``None`` means all of them."""
    if user.role == Role.UNIT_OFFICER:
        return UNIT_SELF_SERVICE_FIELDS
    return None


def can_manage_users(user: Any) -> bool:
    return _active(user) and user.role == Role.ADMIN


def can_view_audit(user: Any) -> bool:
    return _active(user)


# -- tips ---------------------------------------------------------------------------------
# Visibility of a tip is ``scoping.tips_for``; these decide what may be done with a visible one.


def can_handle_tip(user: Any, tip: Any) -> bool:
    """Triage, assign, change status, message the tipster: the department for every tip, a
    ward officer for the tips of his wards. Leaders read; units only follow their own."""
    if not _active(user):
        return False
    if user.role in (Role.ADMIN, Role.DEPARTMENT):
        return True
    if user.role == Role.WARD_OFFICER:
        return tip.ward_id is not None and tip.ward_id in (ward_ids_for(user) or set())
    return False


def can_handle_tips(user: Any) -> bool:
    """Whether the user handles tips at all (of some ward or of the city): he has an inbox of
    his own, may be assigned tips and may assign them."""
    return _active(user) and user.role in (Role.ADMIN, Role.DEPARTMENT, Role.WARD_OFFICER)


def can_note_tip(user: Any, tip: Any) -> bool:
    """Internal notes: whoever handles the tip, and the security officer of a notified unit."""
    if can_handle_tip(user, tip):
        return True
    return bool(
        _active(user)
        and user.role in (Role.UNIT_OFFICER, Role.UNIT_HEAD)
        and tip.unit_notified
        and tip.unit_id == user.unit_id
    )


def can_view_tipster(user: Any, tip: Any) -> bool:
    """A non-anonymous tipster's name and phone: the department and the assigned officer."""
    if not _active(user):
        return False
    return user.role in (Role.ADMIN, Role.DEPARTMENT) or tip.assignee_id == user.pk


def can_manage_tip_settings(user: Any) -> bool:
    """Categories, deadline rules and partner applications."""
    return _active(user) and user.role == Role.ADMIN


def can_publish_bulletins(user: Any) -> bool:
    return _active(user) and user.role in (Role.ADMIN, Role.DEPARTMENT)


def can_take_calls(user: Any) -> bool:
    """Enter a phoned-in tip on the operator form."""
    return _active(user) and user.role in (Role.ADMIN, Role.DEPARTMENT, Role.WARD_OFFICER)


# -- complaint and denunciation cases ---------------------------------------------------------
# Visibility of a case is ``scoping.cases_for``; these decide what may be done with a visible one.

CASE_REGISTER_ROLES = frozenset(
    {Role.ADMIN, Role.DEPARTMENT, Role.WARD_OFFICER, Role.UNIT_OFFICER, Role.UNIT_HEAD}
)


def can_register_case(user: Any) -> bool:
    """Register a complaint, denunciation, petition or internal conflict. Leaders read."""
    return _active(user) and user.role in CASE_REGISTER_ROLES


def can_handle_case(user: Any, case: Any) -> bool:
    """Move a visible case through its stages, edit it, issue its documents: the department
    for any case, a ward officer for the cases of his wards, a unit's officer and head for
    the cases of their unit."""
    if not _active(user):
        return False
    if user.role in (Role.ADMIN, Role.DEPARTMENT):
        return True
    if user.role == Role.WARD_OFFICER:
        return case.ward_id in (ward_ids_for(user) or set())
    if user.role in (Role.UNIT_OFFICER, Role.UNIT_HEAD):
        return case.unit_id is not None and case.unit_id == user.unit_id
    return False


def can_unseal_identity(user: Any, case: Any) -> bool:
    """Read a denunciator's identity (Luật Tố cáo Điều 47): only the roles named in
    ``ANTQ_CASE_UNSEAL_ROLES`` (by default the leaders and the head of the unit resolving
    the case), always with a stated reason that is audited. A handler works without it."""
    if not _active(user) or user.role not in settings.CASE_UNSEAL_ROLES:
        return False
    if user.role in (Role.UNIT_OFFICER, Role.UNIT_HEAD):
        return case.unit_id is not None and case.unit_id == user.unit_id
    if user.role == Role.WARD_OFFICER:
        return case.ward_id in (ward_ids_for(user) or set())
    return True


def can_manage_case_rules(user: Any) -> bool:
    """Edit the deadline rules and the calendar of swapped days; run the deadline scan."""
    return _active(user) and user.role in (Role.ADMIN, Role.DEPARTMENT)
