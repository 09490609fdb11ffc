"""Placeholder views, replaced by the real ones being written."""

from django.http import Http404


def invitation_accept(request, *args, **kwargs):
    raise Http404


def project_close(request, *args, **kwargs):
    raise Http404


def project_create(request, *args, **kwargs):
    raise Http404


def project_detail(request, *args, **kwargs):
    raise Http404


def project_edit(request, *args, **kwargs):
    raise Http404


def project_list(request, *args, **kwargs):
    raise Http404


def project_member_add(request, *args, **kwargs):
    raise Http404


def project_member_remove(request, *args, **kwargs):
    raise Http404


def project_member_role(request, *args, **kwargs):
    raise Http404


def public_project_detail(request, *args, **kwargs):
    raise Http404


def public_project_list(request, *args, **kwargs):
    raise Http404
