"""The separation-of-duty rules as a property: for users with any set of account roles and any part in a random
application, the policy refuses exactly what this declared table says, whatever the account roles."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certcenter.accounts.models import ROLES, User, UserRole
from certcenter.applications import policy
from certcenter.applications.models import Application
from certcenter.assessments.models import ACTIVE, CONFLICT, PENDING, SUBMITTED, Assignment, FinalRating
from certcenter.candidates.models import CandidateProfile

# The rules, written out independently of the module that enforces them: who is barred from what.
#   - nobody acts on an application in which he is the candidate, whatever the act;
#   - whoever assessed (an assignment not removed by a declared conflict) or moderated it does not decide it.
ACTS = sorted(policy.SEPARATION_OF_DUTIES)
BARRED_IF_CANDIDATE = set(ACTS)
BARRED_IF_TOOK_PART = {"decide"}


def expected_refusal(*, is_candidate: bool, assignment: str | None, moderated: bool, act: str) -> bool:
    took_part = assignment in (PENDING, ACTIVE, SUBMITTED) or moderated
    return (is_candidate and act in BARRED_IF_CANDIDATE) or (took_part and act in BARRED_IF_TOOK_PART)


@pytest.fixture(scope="module")
def request_context(app):
    with app.test_request_context():
        yield


def build_case(roles: set[str], is_candidate: bool, assignment: str | None, lead: bool, moderated: bool):
    """Objects in memory only (never added to the session): the policy reads them as it reads loaded rows."""
    user = User(id=7, email="u@example.kz", full_name="U", password_hash="x")
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    candidate_user_id = 7 if is_candidate else 8
    profile = CandidateProfile(id=1, user_id=candidate_user_id)
    application = Application(id=1, candidate=profile, state="in_assessment")
    if assignment is not None:
        Assignment(application=application, assessor_id=7, status=assignment, is_lead=lead)
    if moderated:
        FinalRating(application=application, criterion_key="unit:1", agreed=False, rating="met", moderated_by_id=7)
    return application, user


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    roles=st.sets(st.sampled_from(ROLES)),
    is_candidate=st.booleans(),
    assignment=st.sampled_from([None, PENDING, ACTIVE, SUBMITTED, CONFLICT]),
    lead=st.booleans(),
    moderated=st.booleans(),
    act=st.sampled_from(ACTS),
)
def test_the_policy_refuses_what_the_table_says(request_context, roles, is_candidate, assignment, lead, moderated, act):
    application, user = build_case(roles, is_candidate, assignment, lead, moderated)
    refuse = expected_refusal(is_candidate=is_candidate, assignment=assignment, moderated=moderated, act=act)
    assert policy.may(application, user, act) is not refuse
    if refuse:
        with pytest.raises(policy.SeparationOfDutiesError) as refusal:
            policy.refuse(application, user, act)
        expected = policy.REFUSAL_MESSAGES[policy.CANDIDATE if is_candidate else policy.TOOK_PART]
        assert str(refusal.value.message) == str(expected)
    else:
        policy.refuse(application, user, act)
    if is_candidate:  # the first rule, by itself
        with pytest.raises(policy.SeparationOfDutiesError):
            policy.refuse_own_case(application, user, act)
