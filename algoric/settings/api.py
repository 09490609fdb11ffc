"""Settings of the REST API (``api/``): Django REST framework and drf-spectacular.

Kept apart from ``base`` so that each settings module stays short; ``base`` calls
:func:`api_settings` with its one ``env`` and imports :data:`SPECTACULAR_SETTINGS`.
"""

#: Longest life of a personal access token, days (the issue: "at most a year").
API_TOKEN_MAX_DAYS = 365


def api_settings(*, env, num_proxies: int) -> dict:
    """The API's settings read from the environment (django-environ ``env``):

    - ``API_THROTTLE_TOKEN_RATE`` (default ``600/min``) and ``API_THROTTLE_ADDRESS_RATE``
      (default ``120/min``): rates per personal access token and per client address for
      calls without a valid token (Django REST framework's ``number/period`` form);
    - ``API_TOKEN_DEFAULT_DAYS`` (default 90): days a new token lasts unless its owner
      chooses (at most :data:`API_TOKEN_MAX_DAYS`).

    Returns ``API_THROTTLE_*``, ``API_TOKEN_*`` and ``REST_FRAMEWORK``.
    """
    token_rate = env.str("API_THROTTLE_TOKEN_RATE", default="600/min")
    address_rate = env.str("API_THROTTLE_ADDRESS_RATE", default="120/min")
    return {
        "API_THROTTLE_TOKEN_RATE": token_rate,
        "API_THROTTLE_ADDRESS_RATE": address_rate,
        "API_TOKEN_DEFAULT_DAYS": env.int("API_TOKEN_DEFAULT_DAYS", default=90),
        "API_TOKEN_MAX_DAYS": API_TOKEN_MAX_DAYS,
        "REST_FRAMEWORK": rest_framework(token_rate=token_rate, address_rate=address_rate,
                                         num_proxies=num_proxies),
    }


def rest_framework(*, token_rate: str, address_rate: str, num_proxies: int) -> dict:
    """``REST_FRAMEWORK``: token authentication, scopes, rates (``"600/min"`` form) per
    token and per address, JSON only, pagination, filters, the one error shape.
    ``num_proxies``: trusted proxies in front (``X-Forwarded-For``), as for allauth."""
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.PersonalAccessTokenAuthentication"],
        "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
        "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle",
                                     "api.throttling.AddressRateThrottle"],
        "DEFAULT_THROTTLE_RATES": {"token": token_rate,
                                   "address": address_rate},
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
        "PAGE_SIZE": 50,
        "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend",
                                    "rest_framework.filters.OrderingFilter"],
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
        "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
        "NUM_PROXIES": num_proxies,
    }


SPECTACULAR_SETTINGS = {
    "TITLE": "Algoric portal API",
    "DESCRIPTION": "The portal's API: projects, resource requests, usage, reports, the "
                   "catalogue, and the staff's work. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "members.models.OrganisationKind.choices",
        "ResourceKindEnum": "resources.models.ResourceKind.choices",
        "RequestKindEnum": "projects.models.requests.ResourceRequest.Kind",
        "OutputKindEnum": "projects.models.outputs.ResearchOutput.Kind",
        "OutputSourceEnum": "projects.models.outputs.ResearchOutput.Source",
        "RegistrationStatusEnum": "training.models.registrations.Registration.Status",
        "EventKindEnum": "training.models.events.Event.Kind",
        "TopicEnum": "training.models.courses.Topic",
        "ProjectMemberRoleEnum": "projects.models.projects.ProjectMember.Role",
        # A report's and an import's statuses are the same choices: one enum, its old name.
        "UsageReportStatusEnum": "projects.models.reports.UsageReport.Status",
        # The roles a person is added with (the role of PI is handed over, not given): the
        # serializer's own choices, so that the labels match in every language.
        "ProjectMemberAddRoleEnum": "api.serializers.projects.ADD_ROLE_CHOICES",
    },
    "PREPROCESSING_HOOKS": ["api.schema.include_api_paths"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "api.schema.add_shared_parts"],
}
