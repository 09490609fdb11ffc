"""What every app of the portal uses, and nothing app-specific.

- :mod:`.workflow` — :func:`~.workflow.transition`, the one way a status field changes
  (lock the row, check the transition table, write the status-event row);
- :mod:`.staff` — the one staff check (a signed-in staff member with TOTP enrolled), as a
  predicate for services and templates and as the ``staff_required`` view decorator;
- :mod:`.feedback` — how views show a service's refusal or a form's errors;
- :mod:`.registries` — what apps higher in the stack add to pages owned lower down
  (staff dashboard panels, personal data sections, deletion checks, health checks),
  filled in each app's ``AppConfig.ready()`` so that no import goes upward;
- :mod:`.middleware`, :mod:`.ratelimit`, :mod:`.request_id`, :mod:`.log_format`,
  :mod:`.views` — request plumbing: request ids, cache headers, staff MFA enforcement,
  the 4xx status of invalid forms, rate limits, JSON logs and the error pages.

``algoric.core`` imports no app (``members``, ``resources``, ``projects``); of the
project-level packages it uses only ``algoric.audit`` (security events).
"""
