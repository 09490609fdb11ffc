"""Shapes of people, organisations, memberships and agreements."""

from rest_framework import serializers

from members.models import Agreement, Membership, Organisation, OrganisationMember, User


class UserSerializer(serializers.ModelSerializer):
    """The signed-in person (``/me/``)."""

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "language", "cluster_login"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    """Someone shown in a list of people: id, email and name."""

    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "name"]

    def get_name(self, user) -> str:
        return user.get_full_name() or user.email


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation, with the caller's role in it (``null`` for staff who are not in it)."""

    my_role = serializers.CharField(read_only=True, allow_null=True, default=None)
    website = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "siret", "research_code", "city", "country", "website",
                  "contact_email", "created_at", "my_role"]
        read_only_fields = fields


class OrganisationMemberSerializer(serializers.ModelSerializer):
    """A person's role in an organisation."""

    user = PersonSerializer(read_only=True)

    class Meta:
        model = OrganisationMember
        fields = ["id", "user", "role", "joined_at"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer):
    """An organisation's membership of one year: fee (EUR), status, payment."""

    class Meta:
        model = Membership
        fields = ["id", "organisation", "year", "fee", "status", "paid_on", "payment_reference",
                  "created_at", "updated_at"]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    """An organisation's agreement with the association."""

    class Meta:
        model = Agreement
        fields = ["id", "number", "organisation", "kind", "status", "signatory_name",
                  "signatory_title", "starts_on", "ends_on", "created_at", "updated_at"]
        read_only_fields = fields
