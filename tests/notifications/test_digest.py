"""Categories of notifications, the choice of a weekly digest, and the digest itself
(``algoric.notifications``: registry, ``services.store``, ``services.digest``, the task)."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from algoric.core import registries
from algoric.notifications.models import Notification, NotificationCategory
from algoric.notifications.models import NotificationPreference as Preference
from algoric.notifications.selectors import (
    notification_choice_categories,
    notification_personal_data,
)
from algoric.notifications.services import (
    notification_create,
    notification_digests_build,
    notification_preferences_set,
    notify,
)
from algoric.notifications.services.digest import (
    DIGEST_MAX_LISTED,
    digest_week,
    notification_summary,
)
from algoric.notifications.tasks import send_weekly_digests
from members.adapter import ALLAUTH_EVENTS

from ..factories import NotificationPreferenceFactory, UserFactory

pytestmark = pytest.mark.django_db
EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
WEEKLY = Preference.Delivery.WEEKLY


def weekly_for_every_category(user):
    for category in NotificationCategory.values:
        NotificationPreferenceFactory(user=user, category=category, delivery=WEEKLY)


def store(user, event="request_comment", subject="[Algoric] Un message", **kwargs):
    return notification_create(email=user.email, event=event, subject=subject,
                               body="Bonjour Anne,\n\nUn texte.\n\nL'équipe Algoric\n",
                               recipient=user, **kwargs)


def to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


# --- The registry ---------------------------------------------------------------------------

def test_every_event_the_apps_send_is_filed_under_a_known_category():
    templates = {path.name.split(".")[0] for path in EMAILS.glob("*.subject.txt")}
    registered = registries.notification_events()
    assert templates | set(ALLAUTH_EVENTS) <= set(registered), (
        (templates | set(ALLAUTH_EVENTS)) - set(registered))
    assert {kind.category for kind in registered.values()} <= set(NotificationCategory.values)


def test_allauth_events_cover_every_message_allauth_sends():
    import allauth

    folder = Path(allauth.__file__).parent / "templates"
    sent = {path.name.removesuffix("_subject.txt")
            for sub in ("account", "mfa") for path in (folder / sub / "email").glob(
                "*_subject.txt")}
    assert sent <= set(ALLAUTH_EVENTS), sent - set(ALLAUTH_EVENTS)


@pytest.mark.parametrize("event, category, mandatory", [
    ("request_comment", "requests", False),
    ("request_emergency", "requests", True),
    ("usage_threshold", "allocations", False),
    ("allocation_expiring", "allocations", False),
    ("allocation_suspended", "allocations", True),
    ("membership_unpaid", "membership", False),
    ("agreement_approved", "membership", True),
    ("agreement_rejected", "membership", True),
    ("usage_report_ready", "reports", False),
    ("password_reset_key", "account", True),
    ("totp_deactivated", "account", True),
    ("email_changed", "account", True),
    ("notification_digest", "account", True),
])
def test_each_event_has_its_category_and_the_required_ones_are_mandatory(event, category,
                                                                         mandatory):
    assert registries.notification_event(event) == registries.NotificationEvent(
        category=category, mandatory=mandatory)


def test_registering_an_event_is_one_line_and_idempotent(monkeypatch):
    # The registry as it would be before any app filed an event under "outputs".
    monkeypatch.setattr(registries, "_NOTIFICATION_EVENTS", {
        event: filed for event, filed in registries._NOTIFICATION_EVENTS.items()
        if filed.category != "outputs"})
    assert "outputs" not in dict(notification_choice_categories())
    registries.register_notification_events("outputs", events=["outputs_new_event"])
    registries.register_notification_events("outputs", events=["outputs_new_event"])
    assert registries.notification_event("outputs_new_event").category == "outputs"
    with translation.override("en"):
        assert ("outputs", "Research outputs") in [
            (value, str(label)) for value, label in notification_choice_categories()]


def test_only_categories_with_an_optional_event_offer_a_choice():
    offered = [value for value, _label in notification_choice_categories()]
    assert offered[:4] == ["requests", "allocations", "membership", "reports"]
    assert "account" not in offered  # mandatory events only


# --- Delivery at creation -------------------------------------------------------------------

def test_by_default_every_message_is_sent_as_it_comes(member,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = store(member), store(member, event="usage_threshold")
    assert (first.category, second.category) == ("requests", "allocations")
    assert {first.status, second.status} == {Notification.Status.PENDING}
    for row in (first, second):
        row.refresh_from_db()
        assert row.status == Notification.Status.SENT
    assert len(to(member)) == 2


def test_a_weekly_category_is_held_shown_in_the_inbox_and_not_emailed(
        member, django_capture_on_commit_callbacks):
    NotificationPreferenceFactory(user=member, category="requests")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        held = store(member)
        other = store(member, event="usage_threshold")
    assert held.status == Notification.Status.HELD
    assert len(callbacks) == 1  # only the other category is queued
    assert list(Notification.objects.inbox_of(member)) == [other, held]
    other.refresh_from_db()
    assert other.status == Notification.Status.SENT
    assert [m.subject for m in to(member)] == ["[Algoric] Un message"]
    assert Notification.objects.get(pk=held.pk).status == Notification.Status.HELD


@pytest.mark.parametrize("event", sorted(
    e for e, kind in registries.notification_events().items() if kind.mandatory))
def test_mandatory_events_are_sent_at_once_whatever_the_choice(
        event, member, django_capture_on_commit_callbacks):
    weekly_for_every_category(member)
    with django_capture_on_commit_callbacks(execute=True):
        notification = store(member, event=event)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(to(member)) == 1


def test_an_unregistered_event_is_sent_at_once_without_category(
        member, django_capture_on_commit_callbacks):
    weekly_for_every_category(member)
    with django_capture_on_commit_callbacks(execute=True):
        notification = store(member, event="something_new")
    assert notification.category == ""
    assert len(to(member)) == 1


def test_a_message_kept_out_of_the_inbox_is_never_held(member,
                                                       django_capture_on_commit_callbacks):
    weekly_for_every_category(member)
    with django_capture_on_commit_callbacks(execute=True):
        notification = store(member, in_inbox=False)
    assert notification.status == Notification.Status.PENDING
    assert len(to(member)) == 1


# --- The digest -----------------------------------------------------------------------------

def test_the_digest_lists_the_weeks_messages_in_one_email_and_marks_them(
        member, django_capture_on_commit_callbacks):
    weekly_for_every_category(member)
    with django_capture_on_commit_callbacks(execute=True):
        held = [store(member, subject=f"[Algoric] Message {n}") for n in range(3)]
    assert mail.outbox == []
    assert send_weekly_digests() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [member.email]
    assert message.subject.startswith("[Algoric] ") and message.subject.endswith("3 messages")
    for n in range(3):
        assert f"* Message {n} (" in message.body
    assert "Un texte." in message.body and "Bonjour Anne" not in message.body
    assert f"{settings.SITE_URL}/account/notifications/" in message.body
    digest = Notification.objects.get(event="notification_digest")
    assert digest.status == Notification.Status.SENT and not digest.in_inbox
    assert digest.dedupe_key == f"notification_digest:{member.pk}:{digest_week(timezone.now())}"
    assert set(Notification.objects.filter(pk__in=[n.pk for n in held])
               .values_list("status", "digest")) == {(Notification.Status.DIGESTED, digest.pk)}


def test_the_digest_task_run_twice_sends_once(member, django_capture_on_commit_callbacks):
    weekly_for_every_category(member)
    with django_capture_on_commit_callbacks(execute=True):
        store(member)
    assert send_weekly_digests() == 1
    assert send_weekly_digests() == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(event="notification_digest").count() == 1


def test_a_message_stored_after_the_digest_of_the_week_waits_for_the_next_one(
        member, django_capture_on_commit_callbacks):
    weekly_for_every_category(member)
    monday = timezone.make_aware(dt.datetime(2026, 12, 7, 7, 0))
    with django_capture_on_commit_callbacks(execute=True):
        store(member)
    notification_digests_build(now=monday)
    with django_capture_on_commit_callbacks(execute=True):
        late = store(member)
    # Again the same week (the task run twice, or by hand): nothing, the message waits.
    assert notification_digests_build(now=monday + dt.timedelta(hours=3)) == []
    assert Notification.objects.get(pk=late.pk).status == Notification.Status.HELD
    following = notification_digests_build(now=monday + dt.timedelta(days=7))
    assert len(following) == 1
    assert Notification.objects.get(pk=late.pk).digest_id == following[0]


def test_a_message_stored_after_the_cut_off_is_not_in_the_digest(member):
    weekly_for_every_category(member)
    early = store(member)
    cut_off = timezone.now()
    late = store(member)
    Notification.objects.filter(pk=late.pk).update(
        created_at=cut_off + dt.timedelta(seconds=1))
    [digest_id] = notification_digests_build(now=cut_off)
    assert Notification.objects.get(pk=early.pk).digest_id == digest_id
    assert Notification.objects.get(pk=late.pk).status == Notification.Status.HELD


def test_each_person_gets_their_own_digest_in_their_language(
        django_capture_on_commit_callbacks):
    french, english = UserFactory(language="fr"), UserFactory(language="en")
    for user in (french, english):
        NotificationPreferenceFactory(user=user, category="allocations")
        with django_capture_on_commit_callbacks(execute=True):
            store(user, event="usage_threshold")
    assert send_weekly_digests() == 2
    [french_digest], [english_digest] = to(french), to(english)
    assert english_digest.subject == "[Algoric] Your weekly digest: 1 message"
    assert english_digest.body.startswith("Hello ")
    assert "ALLOCATIONS AND USAGE" in english_digest.body
    assert "Your inbox: http" in english_digest.body
    assert french_digest.body.startswith("Bonjour ")
    assert "/en/account/notifications/" in english_digest.body
    assert "/en/" not in french_digest.body


def test_a_long_week_lists_the_first_messages_and_counts_the_others(member):
    NotificationPreferenceFactory(user=member, category="requests")
    for n in range(DIGEST_MAX_LISTED + 3):
        store(member, subject=f"[Algoric] Message {n}")
    send_weekly_digests()
    [message] = mail.outbox
    assert message.body.count("* Message ") == DIGEST_MAX_LISTED
    assert "3 " in message.body.split("* Message 49", 1)[1]
    assert not Notification.objects.held().exists()


def test_the_summary_keeps_the_text_and_the_links():
    body = ("Hello Anne,\n\nProject HOULE has used 80 %.\n\nIf needed, ask for more.\n\n"
            "The project's usage: https://algoric.example/projects/1/usage/\n\n"
            "The Algoric team\n")
    text, links = notification_summary(body, language="en")
    assert text == "Project HOULE has used 80 %. If needed, ask for more."
    assert links == [("The project's usage", "https://algoric.example/projects/1/usage/")]
    long_text, _links = notification_summary("x " * 400, language="en")
    assert len(long_text) <= 280


def test_the_digest_is_a_weekly_beat_task_on_monday_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications-weekly-digest"]
    assert entry["task"] == "algoric.notifications.tasks.send_weekly_digests"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {7} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == "Europe/Paris"


# --- The choice -----------------------------------------------------------------------------

def test_choices_are_saved_per_category_and_only_by_the_person(member):
    notification_preferences_set(user=member, choices={"requests": "weekly",
                                                       "reports": "immediate"}, actor=member)
    notification_preferences_set(user=member, choices={"requests": "immediate"},
                                 actor=member)
    assert dict(Preference.objects.filter(user=member).values_list(
        "category", "delivery")) == {"requests": "immediate", "reports": "immediate"}
    with pytest.raises(PermissionDenied):
        notification_preferences_set(user=member, choices={"requests": "weekly"},
                                     actor=UserFactory())
    for bad in ({"account": "weekly"}, {"requests": "monthly"}):
        with pytest.raises(ValidationError):
            notification_preferences_set(user=member, choices=bad, actor=member)
    assert Preference.objects.get(user=member, category="requests").delivery == "immediate"


def test_the_personal_data_export_lists_the_choices(member):
    NotificationPreferenceFactory(user=member, category="reports")
    [row] = notification_personal_data(member)
    assert (row["category"], row["delivery"]) == ("reports", "weekly")


def test_a_held_message_survives_nothing_after_the_account_is_deleted(member):
    from members.services.users import user_delete_account

    NotificationPreferenceFactory(user=member, category="requests")
    store(member)
    user_delete_account(user=member)
    assert not Preference.objects.filter(user=member).exists()
    assert notification_digests_build() == []


def test_notify_renders_and_holds_like_notification_create(member):
    NotificationPreferenceFactory(user=member, category="account")  # no choice there
    assert notify(event="welcome", recipient=member).status == Notification.Status.PENDING


def test_the_inbox_shows_a_held_message_at_once_marked_for_the_digest(client, member):
    NotificationPreferenceFactory(user=member, category="requests")
    store(member, subject="[Algoric] Un commentaire")
    client.force_login(member)
    body = client.get("/en/account/notifications/").content.decode()
    assert "[Algoric] Un commentaire" in body and "for your weekly digest" in body
