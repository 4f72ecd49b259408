"""The demo case's demands and letter templates; ``load_demo`` loads the whole case."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from casework import demo as casework_demo
from casework.choices import EventSource, Stage
from casework.models import InfringingItem, Respondent, RightsHolder, StageEvent
from notices.business_days import calendar_for
from notices.choices import STANDARD_REMEDIES, Channel, DemandStatus, LetterPurpose
from notices.completeness import current_template
from notices.letters import take_snapshot
from notices.models import Demand, DemandEvent, Letter, LetterTemplate, Remedy
from notices.references import format_reference, take_number
from notices.rendering import render_letter

NETFLIX_TEMPLATE = {
    "letterhead": "Netflix, Inc.\n121 Albright Way\nLos Gatos, CA 95032\nUnited States",
    "signatory_name": "Jordan Avery",
    "signatory_title": "Director, Content Protection Legal",
    "contact_details": "content-protection@netflix.example\n+1 408 555 0100",
    "opening": (
        'We write on behalf of Netflix, Inc. ("Netflix") concerning your generative video '
        "service and the content it produces. Netflix will not stand by and watch its valued "
        "IP be treated as free, public domain clip art."
    ),
    "legal_basis": (
        "Netflix owns the exclusive rights in the works listed above under 17 U.S.C. § 106: "
        "to reproduce them, to prepare derivative works based on them, to distribute copies "
        "of them and to perform and display them publicly. Netflix has never authorized you "
        "to use its content to generate these images or videos, nor to train, prompt or "
        "offer a model that reproduces them.\n\n"
        "Reproducing those works, preparing derivative works from them and distributing and "
        "displaying the results, as Exhibit A documents, infringes Netflix's copyrights under "
        "17 U.S.C. § 501. Your activities are willful, and constitute direct and secondary "
        "copyright infringement: you make the copies, and you knowingly induce, cause and "
        "materially contribute to the copies your users make, from which you profit and which "
        "you have the right and ability to stop. Netflix is entitled to an injunction "
        "(17 U.S.C. § 502), the impounding and destruction of infringing copies and the means "
        "of making them (§ 503), its damages and your profits or, for registered works, "
        "statutory damages of up to $150,000 per work infringed willfully (§ 504), and its "
        "costs and attorneys' fees (§ 505). This demand relies on 17 U.S.C. §§ 106 and "
        "501–505."
    ),
    "fair_use": (
        "The use of copyrighted works to create a competing commercial product, especially "
        "one that regurgitates the original, is not protected by fair use. Each of the four "
        "factors of 17 U.S.C. § 107 weighs against you:\n\n"
        "(1) Purpose and character: the outputs serve the same entertainment purpose as the "
        "works and are offered in a commercial service; a recreation, reboot or crossover "
        "of the same characters and scenes adds no new meaning or message and is not "
        "transformative (Andy Warhol Found. for the Visual Arts, Inc. v. Goldsmith, "
        "598 U.S. 508 (2023)).\n\n"
        "(2) Nature of the works: they are highly creative, fictional audiovisual works at "
        "the core of copyright's protection.\n\n"
        "(3) Amount and substantiality: the outputs take the heart of each work: its "
        "distinctive characters, costumes, sets and visual style, often in high fidelity.\n\n"
        "(4) Effect on the market: the outputs substitute for the works and for licensed "
        "derivative works, merchandise and the licensing of the works for AI uses, a market "
        "Netflix is entitled to control."
    ),
    "preservation": (
        "You are now on notice of Netflix's claims and that litigation is reasonably "
        "anticipated. Preserve, and suspend any deletion or routine destruction of, all "
        "documents, data and electronically stored information relating to the matters in "
        "this letter, including: the outputs listed in Exhibit A and the prompts, accounts "
        "and logs that produced, stored or served them; training data, datasets and model "
        "versions containing or derived from Netflix's works; content filters and their "
        "changes; and communications about Netflix's works or these outputs. This duty "
        "applies to your employees, contractors and the third parties that give access to "
        "your model."
    ),
    "consequences": (
        "If you do not confirm compliance with every demand above by the deadline, Netflix "
        "will pursue all remedies available to it, including litigation, without further notice."
    ),
    "good_faith_statement": (
        "We have a good-faith belief that the use of the material described in Exhibit A is "
        "not authorized by the copyright owner, its agent, or the law, and we have considered "
        "whether that use is a fair use before sending this notice."
    ),
    "accuracy_statement": (
        "The information in this letter is accurate, and under penalty of perjury, the "
        "signatory is authorized to act on behalf of the owner of the exclusive rights "
        "allegedly infringed."
    ),
    "closing": (
        "This letter is without prejudice to Netflix's rights and remedies, all of which are "
        "expressly reserved."
    ),
    "cc": "Netflix, Inc., Litigation Department (legal@netflix.example)",
}


# What the demo's first letter says about the works, as Netflix's February 2026 letter did.
SENT_DEMAND_PARAGRAPHS = (
    "Seedance 2.0 was released in February 2026 and within days produced high-fidelity "
    "copies of Netflix's most popular series. Netflix will not stand by and watch ByteDance "
    "treat our valued IP as free, public domain clip art.\n\n"
    "Bridgerton: unauthorized depictions of Season 4 content that mirror specific, "
    "narratively important costumes like Sophie Baek's \u201cLady in Silver\u201d gown. "
    "Stranger Things: high-fidelity reboots of the series finale. Squid Game: generated "
    "recreations of the \u201cRed Light, Green Light\u201d sets and the iconic Young-hee "
    "doll, and unauthorized crossovers. KPop Demon Hunters: its specific visual style and "
    "character designs.\n\n"
    "Netflix has never authorized ByteDance to use our content to generate these images or "
    "videos. ByteDance's activities are willful, and constitute direct and secondary "
    "copyright infringement."
)


def template_fields_for(holder) -> dict:
    """Default letter text for a rights holder (the Netflix wording, with its own names)."""
    fields = dict(NETFLIX_TEMPLATE)
    if holder.code != "NFLX":
        fields = {
            k: v.replace("Netflix, Inc.", holder.name).replace("Netflix", holder.name)
            for k, v in fields.items()
        }
        fields["letterhead"] = f"{holder.name}\n{holder.address}"
        fields["signatory_name"] = holder.signatory_name
        fields["signatory_title"] = holder.signatory_title
        fields["contact_details"] = holder.signatory_email
        fields["cc"] = ""
    return fields


def add_standard_remedies(demand):
    Remedy.objects.bulk_create(
        Remedy(demand=demand, position=i, kind=kind, text=text)
        for i, (kind, text) in enumerate(STANDARD_REMEDIES, start=1)
    )


def load_demo_demands(netflix, respondent):
    from casework.models import RightsHolder

    for holder in RightsHolder.objects.all():
        if not LetterTemplate.objects.filter(rights_holder=holder).exists():
            LetterTemplate.objects.create(
                rights_holder=holder, version=1, **template_fields_for(holder)
            )
    if Demand.objects.filter(rights_holder=netflix).exists():
        return
    User = get_user_model()
    legal = User.objects.get(username="netflix-legal")
    manager = User.objects.get(username="netflix-manager")
    now = timezone.now()
    year = netflix.today().year
    calendar = calendar_for(netflix)

    sent_items = InfringingItem.objects.filter(rights_holder=netflix).exclude(
        stage__in=[Stage.IDENTIFIED, Stage.DISMISSED]
    )
    # The letter is dated the day after the last of its items was identified (no
    # exhibit item postdates its letter), at 10 a.m. in Los Gatos; the deadline
    # comes from the same business-day rules as any other demand.
    last_seen = max(sent_items.values_list("first_seen", flat=True), default=now.date())
    sent_on = min(last_seen + dt.timedelta(days=1), calendar.local_date(now))
    sent_at = dt.datetime.combine(sent_on, dt.time(10, 0), tzinfo=calendar.zone)
    number = take_number(netflix, year)
    response_days = netflix.response_days
    deadline_at = calendar.deadline(sent_on, response_days)
    sent = Demand.objects.create(
        rights_holder=netflix,
        respondent=respondent,
        reference=format_reference(netflix.code, year, number),
        year=year,
        number=number,
        status=DemandStatus.SENT,
        response_days=response_days,
        prepared_by=legal,
        approved_by=manager,
        approved_at=sent_at - dt.timedelta(days=1),
        sent_on=sent_on,
        sent_at=sent_at,
        sent_channel=Channel.EMAIL,
        sent_channels=[Channel.EMAIL, Channel.COURIER],
        deadline=deadline_at.date(),
        deadline_at=deadline_at,
        paragraphs=SENT_DEMAND_PARAGRAPHS,
    )
    sent.items.set(sent_items)
    add_standard_remedies(sent)
    StageEvent.objects.filter(
        item__in=sent_items, to_stage=Stage.NOTIFIED, source=EventSource.DEMAND
    ).update(demand_type=ContentType.objects.get_for_model(Demand), demand_id=sent.pk)
    # The sent demand keeps its letter of record: made from its snapshot, rendered in-process.
    template = current_template(netflix.pk)
    letter = Letter.objects.create(
        demand=sent,
        version=1,
        template=template,
        purpose=LetterPurpose.RECORD,
        snapshot=take_snapshot(sent, template, purpose=LetterPurpose.RECORD),
        requested_by=legal,
    )
    render_letter(letter.pk)
    Demand.objects.filter(pk=sent.pk).update(sent_letter=letter)
    for action, old, new, by, days_before in [
        ("created", "", DemandStatus.DRAFT, legal, 4),
        ("submitted", DemandStatus.DRAFT, DemandStatus.IN_REVIEW, legal, 2),
        ("approved", DemandStatus.IN_REVIEW, DemandStatus.APPROVED, manager, 1),
        ("sent", DemandStatus.APPROVED, DemandStatus.SENT, legal, 0),
    ]:
        event = DemandEvent.objects.create(
            demand=sent, action=action, from_status=old, to_status=new, by=by
        )
        # ``at`` is set on insert; date the story as it happened.
        DemandEvent.objects.filter(pk=event.pk).update(at=sent_at - dt.timedelta(days=days_before))

    draft_items = InfringingItem.objects.filter(rights_holder=netflix, stage=Stage.IDENTIFIED)
    number = take_number(netflix, year)
    draft = Demand.objects.create(
        rights_holder=netflix,
        respondent=respondent,
        reference=format_reference(netflix.code, year, number),
        year=year,
        number=number,
        prepared_by=legal,
        paragraphs="Since our first letter, further infringing outputs have appeared.",
    )
    draft.items.set(draft_items)
    add_standard_remedies(draft)
    DemandEvent.objects.create(
        demand=draft, action="created", to_status=DemandStatus.DRAFT, by=legal
    )


@transaction.atomic
def load_demo() -> dict:
    """Load (or complete) the whole demo case: casework's rows, then the demands.
    Idempotent; returns counts of what exists afterwards."""
    counts = casework_demo.load_demo()
    load_demo_demands(
        RightsHolder.objects.get(code="NFLX"), Respondent.objects.get(name="ByteDance Ltd.")
    )
    counts["demands"] = Demand.objects.count()
    return counts
