"""Forms of the members app, by subject: ``accounts`` (sign-up extras, profile, account
deletion), ``organisations`` (details, invitations, roles, memberships), ``agreements``
(the signatory) and ``staff`` (the staff pages' decisions, payments, fees and terms).

``SignupForm`` is re-exported for allauth (``ACCOUNT_SIGNUP_FORM_CLASS`` names
``members.forms.SignupForm``), and ``ProfileForm`` with it. Only the account forms are
imported here: allauth loads this package while it loads its own forms, so nothing that
pulls in the services is imported at this level.
"""

from .accounts import ProfileForm, SignupForm

__all__ = ["ProfileForm", "SignupForm"]
