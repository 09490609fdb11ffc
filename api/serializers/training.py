"""Shapes of the agenda and training: an agenda entry (a session or an event), a session's
sheet, a registration; what staff and trainers send to write courses, sessions and events."""

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers

from members.models import OrganisationKind
from training.models import Course, Event, Registration, Session
from training.models.courses import Level, Topic

#: The languages a course is taught in: the site's (the course model's own choices).
LANGUAGE_CHOICES = settings.LANGUAGES


class AgendaEntrySerializer(serializers.Serializer):
    """One line of the agenda: ``kind`` is ``session`` or the event's kind; ``session`` or
    ``event`` is its id (the other ``null``); ``seats_left`` for a session only.
    Times are ISO 8601 with their offset."""

    kind = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    session = serializers.IntegerField(source="session.pk", allow_null=True, default=None)
    event = serializers.IntegerField(source="event.pk", allow_null=True, default=None)
    seats_left = serializers.IntegerField(allow_null=True)


class CourseSerializer(serializers.ModelSerializer):
    """A course: what a session teaches (``duration_hours``: hours)."""

    class Meta:
        model = Course
        fields = ["id", "slug", "title", "summary", "level", "language", "duration_hours",
                  "prerequisites", "topics"]
        read_only_fields = fields


class RegistrationBriefSerializer(serializers.ModelSerializer):
    """The caller's registration for a session (``waiting_position``: 1 first; ``null``
    when not waiting)."""

    waiting_position = serializers.IntegerField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Registration
        fields = ["id", "status", "created_at", "waiting_position"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    """A published session as its public page shows it: ``prices`` in EUR by kind of
    organisation (non-members); ``online_url`` only for a caller whose seat is confirmed
    (empty otherwise); ``my_registration``: the caller's place, ``null`` when none or
    anonymous."""

    course = CourseSerializer(read_only=True)
    seats_left = serializers.SerializerMethodField()
    online_url = serializers.SerializerMethodField()
    registration_open = serializers.BooleanField(read_only=True)
    my_registration = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["id", "course", "starts_at", "ends_at", "place", "online_url", "capacity",
                  "seats_left", "registration_deadline", "registration_open", "prices",
                  "members_pay", "my_registration"]
        read_only_fields = fields

    def get_seats_left(self, session) -> int:
        return max(session.capacity - getattr(session, "seats_taken", 0), 0)

    def get_online_url(self, session) -> str:
        registration = self.context.get("registration")
        if registration is not None and registration.status == Registration.Status.CONFIRMED:
            return session.online_url
        return ""

    def get_my_registration(self, session) -> RegistrationBriefSerializer(allow_null=True):
        registration = self.context.get("registration")
        if registration is None:
            return None
        return RegistrationBriefSerializer(registration).data


class EventSerializer(serializers.ModelSerializer):
    """A published event of the agenda (``registration_url``: a URL, or empty)."""

    registration_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Event
        fields = ["id", "kind", "title", "description", "starts_at", "ends_at", "place",
                  "audience", "registration_url"]
        read_only_fields = fields


class RegistrationSerializer(serializers.ModelSerializer):
    """One of the caller's registrations, with its session's times and course."""

    session = serializers.IntegerField(source="session_id", read_only=True)
    course_title = serializers.CharField(source="session.course.title", read_only=True)
    starts_at = serializers.DateTimeField(source="session.starts_at", read_only=True)
    ends_at = serializers.DateTimeField(source="session.ends_at", read_only=True)
    place = serializers.CharField(source="session.place", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "session", "course_title", "starts_at", "ends_at", "place", "status",
                  "created_at", "promoted_at", "cancelled_at", "attended"]
        read_only_fields = fields


class StaffEventSerializer(serializers.ModelSerializer):
    """An event as staff write it: the public fields, how many people came
    (``participants``) and whether the agenda shows it (``is_published``)."""

    registration_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Event
        fields = ["id", "kind", "title", "description", "starts_at", "ends_at", "place",
                  "audience", "registration_url", "participants", "is_published",
                  "created_at"]
        read_only_fields = fields


class ManagedSessionSerializer(serializers.ModelSerializer):
    """A session as its staff and trainers see it: every field, ``trainers`` (ids of the
    people teaching it), ``prices`` in EUR by kind of organisation (non-members),
    ``core_hours_per_attendee`` (core-hours), ``project`` (its training project's id, or
    ``null``)."""

    course_title = serializers.CharField(source="course.title", read_only=True)
    online_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    trainers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Session
        fields = ["id", "course", "course_title", "starts_at", "ends_at", "place",
                  "online_url", "trainers", "capacity", "registration_deadline", "prices",
                  "members_pay", "is_published", "core_hours_per_attendee", "project",
                  "created_at"]
        read_only_fields = fields


class CourseWriteSerializer(serializers.Serializer):
    """What staff send to create or edit a course; checked again by the page's
    ``CourseForm`` and ``course_save`` (their messages come back in ``fields``).
    ``duration_hours``: hours of one session; ``topics``: values of the topics list;
    ``level`` (default ``beginner``) and ``language`` (default ``fr``) as the page
    proposes."""

    slug = serializers.CharField(max_length=20)
    title = serializers.CharField(max_length=200)
    summary = serializers.CharField(max_length=4000)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
    duration_hours = serializers.DecimalField(max_digits=5, decimal_places=1)
    prerequisites = serializers.CharField(required=False, allow_blank=True)
    topics = serializers.ListField(child=serializers.ChoiceField(choices=Topic.choices),
                                   required=False, max_length=len(Topic.choices))


class TrainerSessionWriteSerializer(serializers.Serializer):
    """What a trainer sends to add a session of a course they teach (the page's fields).
    Times in ISO 8601; without an offset they are read in the centre's time zone.
    ``capacity``: seats (≥ 1); ``place`` or ``online_url`` (or both); ``is_published``
    (default ``true``)."""

    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    online_url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    capacity = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    registration_deadline = serializers.DateTimeField()
    is_published = serializers.BooleanField(required=False)


class SessionWriteSerializer(TrainerSessionWriteSerializer):
    """What staff send to add or change a session: the trainer's fields and
    ``trainers`` (ids of people holding the trainer role), ``prices`` (``{kind of
    organisation: EUR}``, ``null`` for no price), ``members_pay``,
    ``core_hours_per_attendee`` (core-hours, ≥ 0); on a ``PATCH``, ``trainers`` and
    ``prices`` replace the whole list. Checked again by the page's ``SessionForm`` and
    the session services."""

    trainers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
        max_length=100)
    prices = serializers.DictField(
        child=serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0,
                                      allow_null=True),
        required=False)
    members_pay = serializers.BooleanField(required=False)
    core_hours_per_attendee = serializers.DecimalField(max_digits=8, decimal_places=1,
                                                       required=False)

    def validate_prices(self, prices: dict) -> dict:
        unknown = [kind for kind in prices if kind not in OrganisationKind.values]
        if unknown:
            raise serializers.ValidationError(
                [_("Unknown kind of organisation: %(kind)s.") % {"kind": kind}
                 for kind in unknown])
        return prices


class EventWriteSerializer(serializers.Serializer):
    """What staff send to add or change an event of the agenda; checked again by the
    page's ``EventForm`` and ``event_save``. Times in ISO 8601 (the end after the start);
    ``participants``: how many people came (filled afterwards; default 0);
    ``is_published`` (default ``true``)."""

    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    audience = serializers.CharField(required=False, allow_blank=True, max_length=200)
    registration_url = serializers.URLField(required=False, allow_blank=True, max_length=200)
    participants = serializers.IntegerField(required=False, min_value=0,
                                            max_value=2**31 - 1)
    is_published = serializers.BooleanField(required=False)
