"""factory_boy factories for the domain model."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from casework.choices import Conduct, ContentKind, ElementKind, PlatformKind, Role
from casework.models import (
    Franchise,
    InfringingItem,
    Platform,
    ProtectedElement,
    Respondent,
    RightsHolder,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=Role(extracted).value)[0])

    @factory.post_generation
    def holders(self, create, extracted, **kwargs):
        if create and extracted:
            for holder in extracted:
                holder.members.add(self)


class RightsHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RightsHolder

    name = factory.Sequence(lambda n: f"Studio {n}, Inc.")
    code = factory.Sequence(lambda n: f"ST{n:02d}")
    address = "1 Studio Way\nLos Angeles, CA"
    signatory_name = "Jordan Avery"
    signatory_title = "Counsel"
    signatory_email = "legal@studio.example"


class FranchiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Franchise

    rights_holder = factory.SubFactory(RightsHolderFactory)
    name = factory.Sequence(lambda n: f"Franchise {n}")


class ProtectedElementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProtectedElement

    franchise = factory.SubFactory(FranchiseFactory)
    name = factory.Sequence(lambda n: f"Element {n}")
    kind = ElementKind.CHARACTER


class RespondentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Respondent
        django_get_or_create = ["name"]

    name = "ByteDance Ltd."
    legal_address = "George Town, Grand Cayman"
    agent_name = "Legal Department"
    agent_email = "legal@bytedance.example"


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ["name"]

    respondent = factory.SubFactory(RespondentFactory)
    name = "Seedance 2.0"
    kind = PlatformKind.MODEL


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InfringingItem
        skip_postgeneration_save = True

    rights_holder = factory.SubFactory(RightsHolderFactory)
    franchise = factory.SubFactory(
        FranchiseFactory, rights_holder=factory.SelfAttribute("..rights_holder")
    )
    platform = factory.SubFactory(PlatformFactory)
    url = factory.Sequence(lambda n: f"https://seedance.example/share/{n}")
    title = factory.Sequence(lambda n: f"Generated clip {n}")
    description = "AI-generated recreation."
    content_kind = ContentKind.VIDEO
    conduct = Conduct.RECREATION
    first_seen = dt.date(2026, 2, 14)

    @factory.post_generation
    def elements(self, create, extracted, **kwargs):
        if create and extracted:
            self.elements.set(extracted)
