"""Shapes of the agenda and training: an agenda entry (a session or an event), a session's
sheet, a registration."""

from rest_framework import serializers

from training.models import Course, Event, Registration, Session


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
