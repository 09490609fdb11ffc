"""Placeholder views, replaced by the real ones being written."""

from django.http import Http404


def request_comment(request, *args, **kwargs):
    raise Http404


def request_create(request, *args, **kwargs):
    raise Http404


def request_detail(request, *args, **kwargs):
    raise Http404


def request_edit(request, *args, **kwargs):
    raise Http404


def request_estimate(request, *args, **kwargs):
    raise Http404


def request_submit(request, *args, **kwargs):
    raise Http404


def request_withdraw(request, *args, **kwargs):
    raise Http404
