"""Fixtures of the notices tests: a Netflix letter template, items, a draft demand."""

import datetime as dt

import pytest

from casework.choices import ElementKind
from notices import drafting, workflow
from notices.choices import LetterStatus
from notices.demo import template_fields_for
from notices.models import Letter, LetterTemplate
from tests.factories import (
    FranchiseFactory,
    ItemFactory,
    ProtectedElementFactory,
    RespondentFactory,
    UserFactory,
)


@pytest.fixture
def template(netflix):
    return LetterTemplate.objects.create(
        rights_holder=netflix, version=1, **template_fields_for(netflix)
    )


@pytest.fixture
def bytedance(db):
    return RespondentFactory(name="ByteDance Ltd.")


@pytest.fixture
def items(netflix, seedance, template):
    """Three Netflix items on Seedance 2.0, each naming protected elements."""
    squid = FranchiseFactory(rights_holder=netflix, name="Squid Game")
    bridgerton = FranchiseFactory(rights_holder=netflix, name="Bridgerton")
    doll = ProtectedElementFactory(franchise=squid, name="Young-hee doll", kind=ElementKind.PROP)
    red_light = ProtectedElementFactory(
        franchise=squid, name="Red Light, Green Light set", kind=ElementKind.SET
    )
    gown = ProtectedElementFactory(
        franchise=bridgerton, name="Lady in Silver gown (Sophie Baek)", kind=ElementKind.COSTUME
    )
    return [
        ItemFactory(
            rights_holder=netflix,
            franchise=squid,
            platform=seedance,
            url="https://seedance.example/share/doll-1",
            title="Young-hee doll turns around",
            elements=[doll],
            first_seen=dt.date(2026, 2, 14),
        ),
        ItemFactory(
            rights_holder=netflix,
            franchise=squid,
            platform=seedance,
            url="https://seedance.example/share/red-light-2",
            title="Red Light, Green Light recreation",
            elements=[red_light, doll],
            first_seen=dt.date(2026, 2, 15),
        ),
        ItemFactory(
            rights_holder=netflix,
            franchise=bridgerton,
            platform=seedance,
            url="https://seedance.example/share/silver-gown-3",
            title="Lady in Silver ballroom scene",
            elements=[gown],
            first_seen=dt.date(2026, 2, 16),
        ),
    ]


@pytest.fixture
def draft(legal, items):
    return drafting.draft_demand(legal, [i.pk for i in items])


@pytest.fixture
def manager2(netflix):
    """A second Netflix manager (a manager may prepare, and another approves)."""
    from casework.choices import Role

    return UserFactory(username="nf-manager-2", role=Role.MANAGER, holders=[netflix])


def ready_letter(demand, version=None):
    """A ready Letter row without rendering (for workflow tests that only need one)."""
    last = demand.letters.order_by("-version").first()
    return Letter.objects.create(
        demand=demand,
        version=version or (last.version + 1 if last else 1),
        template=LetterTemplate.objects.filter(rights_holder=demand.rights_holder).first(),
        status=LetterStatus.READY,
        sha256="0" * 64,
        pages=2,
        size=1000,
    )


def advance(demand, status, *, legal, manager, sent_on=None):
    """Walk a draft along the happy path until it reaches ``status``."""
    path = [
        ("submit", legal),
        ("approve", manager),
        ("send", legal),
        ("respond", legal),
    ]
    order = ["draft", "in_review", "approved", "sent", "responded"]
    for (action, user), reached in zip(path, order[1:], strict=True):
        if demand.status == status:
            return demand
        if action == "send":
            demand = workflow.send(
                demand, by=user, sent_on=sent_on or dt.date(2026, 3, 6), channels=["email"]
            )
        else:
            demand = workflow.perform(demand, action, by=user)
        assert demand.status == reached
    if demand.status != status:
        demand = workflow.perform(demand, status_action(status), by=manager)
    return demand


def status_action(status):
    return next(a.name for a in workflow.ACTIONS.values() if a.target == status)


@pytest.fixture
def webapp(django_app, db):
    """django-webtest's app: ``webapp.get(url, user=u).forms[...]`` fills and submits a form
    exactly as the page renders it (CSRF checks on)."""
    return django_app
