"""Placeholder views, replaced by the real ones being written."""

from django.http import Http404


def allocation_resume(request, *args, **kwargs):
    raise Http404


def allocation_suspend(request, *args, **kwargs):
    raise Http404


def request_comment(request, *args, **kwargs):
    raise Http404


def request_decide(request, *args, **kwargs):
    raise Http404


def request_queue(request, *args, **kwargs):
    raise Http404


def request_reject(request, *args, **kwargs):
    raise Http404


def request_review(request, *args, **kwargs):
    raise Http404


def request_start_review(request, *args, **kwargs):
    raise Http404
