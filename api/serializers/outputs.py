"""Shapes of research outputs: one output with its links, what a caller sends to record
one, the outcome of a recording, and the imports from HAL."""

from rest_framework import serializers

from projects.models import OutputImport, ResearchOutput


class ResearchOutputSerializer(serializers.ModelSerializer):
    """A research output (article, software, data set…), its identifiers and links
    (``doi_url``, ``hal_url``: URLs, or empty)."""

    doi_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    hal_url = serializers.CharField(read_only=True, help_text="A URL, or empty.")
    url = serializers.CharField(read_only=True, help_text="A URL, or empty.")

    class Meta:
        model = ResearchOutput
        fields = ["id", "kind", "title", "authors", "year", "venue", "doi", "doi_url",
                  "hal_id", "hal_url", "arxiv_id", "swhid", "url", "open_access", "licence",
                  "acknowledges_centre", "source", "created_at", "updated_at"]
        read_only_fields = fields


class StaffResearchOutputSerializer(ResearchOutputSerializer):
    """An output with the acronyms of its projects (staff list)."""

    projects = serializers.SlugRelatedField(many=True, read_only=True, slug_field="acronym")

    class Meta(ResearchOutputSerializer.Meta):
        fields = [*ResearchOutputSerializer.Meta.fields, "projects"]
        read_only_fields = fields


class ResearchOutputWriteSerializer(serializers.Serializer):
    """What a caller sends to record an output; checked again by the page's
    ``ResearchOutputForm`` and the recording service (identifiers normalised; a known
    DOI, HAL id, arXiv id or SWHID links the recorded output)."""

    kind = serializers.ChoiceField(choices=ResearchOutput.Kind.choices)
    title = serializers.CharField(max_length=500)
    authors = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=4000)
    year = serializers.IntegerField(min_value=1900, max_value=2200)
    venue = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    doi = serializers.CharField(required=False, allow_blank=True, default="", max_length=255)
    hal_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    arxiv_id = serializers.CharField(required=False, allow_blank=True, default="",
                                     max_length=40)
    swhid = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    open_access = serializers.ChoiceField(choices=ResearchOutput.OpenAccess.choices,
                                          required=False,
                                          default=ResearchOutput.OpenAccess.UNKNOWN)
    licence = serializers.CharField(required=False, allow_blank=True, default="",
                                    max_length=100)
    acknowledges_centre = serializers.BooleanField(required=False, default=False)


class RecordedOutputSerializer(serializers.Serializer):
    """The outcome of a recording: ``added`` (a new output), ``linked`` (a known output,
    now linked to the project) or ``known`` (already among its outputs), and the output."""

    outcome = serializers.ChoiceField(choices=["added", "linked", "known"])
    output = ResearchOutputSerializer()


class OutputImportRequestSerializer(serializers.Serializer):
    """What a caller sends to import from HAL: a HAL id (one document), or a collection
    code or HAL query (default: the one stored on the project), as on the page."""

    hal_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    collection = serializers.CharField(required=False, allow_blank=True, default="",
                                       max_length=200)


class OutputImportSerializer(serializers.ModelSerializer):
    """An import from HAL: ``status`` (``queued``, ``running``, ``done``, ``failed``), the
    counts once done (documents HAL found; added, linked, already known, refused), the
    refused documents (at most 20: ``key``, ``title``, ``reasons``) and, when it failed,
    ``error`` in words."""

    error = serializers.CharField(source="error_text", read_only=True,
                                  help_text="Why it failed, or empty.")
    refusals = serializers.ListField(child=serializers.DictField(), read_only=True)

    class Meta:
        model = OutputImport
        fields = ["id", "project", "source", "hal_id", "collection", "status", "found",
                  "added", "linked", "known", "refused", "refusals", "error", "created_at",
                  "started_at", "finished_at"]
        read_only_fields = fields
