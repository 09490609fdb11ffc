"""Staff accounting pages: uploading a file, following its import, clusters and tokens."""

import hashlib
from http import HTTPStatus
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from algoric.core.page_cache import VersionBump
from resources.models import AccountingImport, Cluster
from resources.models.clusters import token_hash

pytestmark = pytest.mark.django_db

# Three lines of a made-up cluster in the 26-field sacct order (PRODUCT.md): a CPU job,
# a GPU job with a multibyte name, and the GPU job's batch step (skipped).
SACCT_LINES = (
    "4101|4101|breizh|standard|normal|proj-ocean|ocean|5001|maelle|6001|"
    "2026-03-02T08:00:00|2026-03-02T08:00:00|2026-03-02T08:05:00|2026-03-02T10:05:00|"
    "02:00:00|0:0|COMPLETED|1|8|8|16000Mn|billing=8,cpu=8,mem=16000M,node=1|"
    "billing=8,cpu=8,mem=16000M,node=1|04:00:00|node01|houle-sim\n"
    "4102|4102|breizh|gpu|normal|proj-ocean|ocean|5001|gwenael|6002|"
    "2026-03-02T09:00:00|2026-03-02T09:00:00|2026-03-02T09:10:00|2026-03-02T10:40:00|"
    "01:30:00|0:0|COMPLETED|1|4|4|32000Mn|billing=4,cpu=4,gres/gpu=1,mem=32000M,node=1|"
    "billing=4,cpu=4,gres/gpu=1,mem=32000M,node=1|02:00:00|gpu01|entraînement-vague\n"
    "4102.batch|4102.batch|breizh||||ocean|5001|||"
    "2026-03-02T09:10:00|2026-03-02T09:10:00|2026-03-02T09:10:00|2026-03-02T10:40:00|"
    "01:30:00|0:0|COMPLETED|1|4|4|32000Mn||cpu=4,mem=32000M,node=1||gpu01|batch\n"
).encode()


def _upload(client, data: bytes = SACCT_LINES, *, name="breizh-2026-03-02.sacct",
            cluster="breizh", format="sacct"):
    return client.post(reverse("resources:accounting:list"), {
        "file": SimpleUploadedFile(name, data, content_type="text/plain"),
        "format": format,
        "cluster": cluster,
    })


def _import(**fields) -> AccountingImport:
    values = {"cluster": "breizh", "format": "sacct", "source": "upload",
              "file_name": "x.sacct", "size_bytes": 1000, "sha256": "a" * 64}
    values.update(fields)
    return AccountingImport.objects.create(**values)


# --- Access ----------------------------------------------------------------------------------

def _pages(cluster):
    accounting_import = _import()
    return [
        ("get", reverse("resources:accounting:list")),
        ("get", reverse("resources:accounting:detail", args=[accounting_import.pk])),
        ("get", reverse("resources:accounting:progress", args=[accounting_import.pk])),
        ("get", reverse("resources:accounting:cluster_list")),
        ("post", reverse("resources:accounting:cluster_token", args=[cluster.pk])),
    ]


def test_anonymous_visitors_are_sent_to_login(client, cluster):
    for method, url in _pages(cluster):
        response = getattr(client, method)(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response.url.startswith(reverse("account_login")), url


def test_members_are_refused(client, member, cluster):
    client.force_login(member)
    for method, url in _pages(cluster):
        assert getattr(client, method)(url).status_code == HTTPStatus.FORBIDDEN, url


def test_staff_without_mfa_are_sent_to_enrol(client, staff, cluster):
    client.force_login(staff)
    for method, url in _pages(cluster):
        response = getattr(client, method)(url)
        assert response.status_code == HTTPStatus.FOUND, url
        assert response.url == reverse("mfa_activate_totp"), url


def test_staff_with_mfa_see_every_page(staff_client, cluster):
    for method, url in _pages(cluster):
        assert getattr(staff_client, method)(url).status_code == HTTPStatus.OK, url


def test_an_unknown_import_is_404(staff_client):
    assert staff_client.get(reverse("resources:accounting:detail", args=[999])).status_code == 404
    assert staff_client.get(reverse("resources:accounting:progress", args=[999])).status_code == 404


def test_token_and_upload_urls_refuse_get_or_other_methods(staff_client, cluster):
    token_url = reverse("resources:accounting:cluster_token", args=[cluster.pk])
    assert staff_client.get(token_url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert staff_client.put(reverse("resources:accounting:list")).status_code == \
        HTTPStatus.METHOD_NOT_ALLOWED


# --- Upload ----------------------------------------------------------------------------------

def test_upload_runs_the_import_and_shows_its_counts(staff_client, staff_with_mfa, cluster,
                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _upload(staff_client)
    # One queued import (and the public pages' content versions bumped by the import).
    assert len([c for c in callbacks if not isinstance(c, VersionBump)]) == 1
    accounting_import = AccountingImport.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("resources:accounting:detail", args=[accounting_import.pk])
    assert accounting_import.status == AccountingImport.Status.DONE
    assert accounting_import.source == AccountingImport.Source.UPLOAD
    assert accounting_import.created_by == staff_with_mfa
    assert accounting_import.sha256 == hashlib.sha256(SACCT_LINES).hexdigest()
    assert accounting_import.size_bytes == len(SACCT_LINES)
    assert accounting_import.file.name.startswith("accounting/")
    assert accounting_import.file.name.endswith(".sacct")
    assert (accounting_import.lines_read, accounting_import.jobs_added,
            accounting_import.steps_skipped) == (3, 2, 1)

    page = staff_client.get(response.url)
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    for name, value in [("lines_read", 3), ("jobs_added", 2), ("steps_skipped", 1),
                        ("duplicates_skipped", 0), ("unfinished_skipped", 0),
                        ("error_count", 0)]:
        assert f'data-count="{name}">{value}</td>' in html
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    assert "import-progress.js" not in html

    listing = staff_client.get(reverse("resources:accounting:list")).content.decode()
    assert "breizh-2026-03-02.sacct" in listing
    assert reverse("resources:accounting:detail", args=[accounting_import.pk]) in listing


def test_a_gzip_file_is_stored_as_gz(staff_client, cluster, django_capture_on_commit_callbacks):
    import gzip

    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client, gzip.compress(SACCT_LINES), name="day.sacct.gz")
    accounting_import = AccountingImport.objects.get()
    assert accounting_import.file.name.endswith(".sacct.gz")
    assert accounting_import.jobs_added == 2


def test_the_same_file_twice_is_refused(staff_client, cluster,
                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _upload(staff_client, name="renamed.log")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert callbacks == []
    assert AccountingImport.objects.count() == 1
    messages = [str(m) for m in response.context["messages"]]
    assert any("already imported" in m or "déjà" in m for m in messages), messages


def test_a_file_over_the_cap_is_refused_before_parsing(staff_client, cluster, settings):
    settings.ACCOUNTING_MAX_FILE_BYTES = 100
    with mock.patch("resources.tasks.run_accounting_import.apply_async") as queued, \
         mock.patch("resources.accounting.views.accounting_intake") as intake:
        response = _upload(staff_client)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert not intake.called and not queued.called
    assert AccountingImport.objects.count() == 0
    assert response.context["form"].errors["file"]


def test_a_request_far_over_the_cap_is_refused_without_reading_its_body(staff_client, cluster,
                                                                       settings):
    settings.ACCOUNTING_MAX_FILE_BYTES = 100
    with mock.patch("django.http.multipartparser.MultiPartParser.parse") as parse:
        response = _upload(staff_client, b"x" * (200 * 1024))
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert not parse.called
    assert AccountingImport.objects.count() == 0


def test_upload_needs_a_known_cluster_and_format(staff_client, cluster):
    assert _upload(staff_client, cluster="nowhere").status_code == HTTPStatus.BAD_REQUEST
    assert _upload(staff_client, format="csv").status_code == HTTPStatus.BAD_REQUEST
    assert AccountingImport.objects.count() == 0


def test_upload_still_checks_csrf(client, staff_with_mfa, cluster):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(staff_with_mfa)
    assert _upload(strict).status_code == HTTPStatus.FORBIDDEN
    assert AccountingImport.objects.count() == 0


def test_a_failed_import_shows_why(staff_client, cluster, django_capture_on_commit_callbacks):
    garbage = b"".join(b"not|an|accounting|line %d\n" % i for i in range(40))
    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client, garbage + SACCT_LINES, name="garbage.txt")
    accounting_import = AccountingImport.objects.get()
    assert accounting_import.status == AccountingImport.Status.FAILED
    html = staff_client.get(reverse("resources:accounting:detail", args=[accounting_import.pk])
                            ).content.decode()
    assert accounting_import.failure
    assert "alert-danger" in html
    assert "<td class=\"text-end\">1</td>" in html  # the first bad line's number


# --- Progress ------------------------------------------------------------------------------

def test_a_running_import_shows_a_refreshing_progress_bar(staff_client):
    accounting_import = _import(status="running", size_bytes=1000, bytes_read=420,
                                lines_read=7)
    html = staff_client.get(reverse("resources:accounting:detail", args=[accounting_import.pk])
                            ).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert 'role="progressbar"' in html and 'aria-valuenow="42"' in html
    assert "import-progress-42" in html
    assert "js/import-progress.js" in html
    assert reverse("resources:accounting:progress", args=[accounting_import.pk]) in html
    assert "<script>" not in html  # no inline script (CSP)


def test_progress_json(staff_client):
    accounting_import = _import(status="running", size_bytes=1000, bytes_read=250,
                                lines_read=12, jobs_added=0)
    data = staff_client.get(reverse("resources:accounting:progress",
                                    args=[accounting_import.pk])).json()
    assert data["status"] == "running"
    assert data["percent"] == 25
    assert data["done"] is False
    assert data["counts"]["lines_read"] == 12

    AccountingImport.objects.filter(pk=accounting_import.pk).update(
        status="done_with_errors", bytes_read=1000, lines_read=40, jobs_added=38, error_count=2)
    data = staff_client.get(reverse("resources:accounting:progress",
                                    args=[accounting_import.pk])).json()
    assert data == {
        "status": "done_with_errors", "status_label": data["status_label"], "percent": 100,
        "done": True,
        "counts": {"lines_read": 40, "jobs_added": 38, "duplicates_skipped": 0,
                   "steps_skipped": 0, "unfinished_skipped": 0, "error_count": 2},
    }


# --- The task --------------------------------------------------------------------------------

def test_the_task_skips_finished_imports_and_reruns_a_running_one(staff_client, cluster,
                                                                  django_capture_on_commit_callbacks):
    from resources.tasks import run_accounting_import

    with django_capture_on_commit_callbacks(execute=True):
        _upload(staff_client)
    accounting_import = AccountingImport.objects.get()
    assert run_accounting_import(accounting_import.pk) == "skipped"
    assert run_accounting_import(987654) == "missing"

    # A worker died while running it: run again, nothing is added twice.
    AccountingImport.objects.filter(pk=accounting_import.pk).update(status="running")
    assert run_accounting_import(accounting_import.pk) in {"done", "done_with_errors"}
    from resources.models import JobRecord

    assert JobRecord.objects.filter(cluster="breizh").count() == 2


def test_the_import_is_queued_only_after_commit(staff_client, cluster,
                                                django_capture_on_commit_callbacks):
    with mock.patch("resources.tasks.run_accounting_import.apply_async") as queued:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _upload(staff_client)
        assert not queued.called
        for callback in callbacks:
            callback()
    accounting_import = AccountingImport.objects.get()
    queued.assert_called_once_with(args=[accounting_import.pk])
    assert accounting_import.status == AccountingImport.Status.QUEUED


def test_a_broker_failure_leaves_the_import_queued(staff_client, cluster,
                                                   django_capture_on_commit_callbacks):
    with mock.patch("resources.tasks.run_accounting_import.apply_async",
                    side_effect=OSError("broker down")), \
         django_capture_on_commit_callbacks(execute=True):
        response = _upload(staff_client)
    assert response.status_code == HTTPStatus.FOUND
    assert AccountingImport.objects.get().status == AccountingImport.Status.QUEUED


# --- Clusters and tokens --------------------------------------------------------------------

def test_staff_add_a_cluster(staff_client):
    response = staff_client.post(reverse("resources:accounting:cluster_list"), {"name": "breizh"})
    assert response.status_code == HTTPStatus.FOUND
    assert Cluster.objects.get().name == "breizh"
    again = staff_client.post(reverse("resources:accounting:cluster_list"), {"name": "BREIZH"})
    assert again.status_code == HTTPStatus.BAD_REQUEST
    bad = staff_client.post(reverse("resources:accounting:cluster_list"), {"name": "a b%c"})
    assert bad.status_code == HTTPStatus.BAD_REQUEST
    assert Cluster.objects.count() == 1


def test_the_token_is_shown_once_and_stored_hashed(staff_client, cluster, settings):
    settings.SITE_URL = "https://portail.algoric.example"
    response = staff_client.post(reverse("resources:accounting:cluster_token", args=[cluster.pk]))
    assert response.status_code == HTTPStatus.OK
    token = response.context["token"]
    assert len(token) >= 43
    cluster.refresh_from_db()
    assert cluster.api_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert cluster.api_token_hash == token_hash(token)
    assert cluster.api_token_created_at is not None
    assert token not in cluster.api_token_hash
    assert "no-store" in response["Cache-Control"]

    html = response.content.decode()
    assert token in html
    cron = response.context["cron_line"]
    assert cron.startswith("0 2 * * * TZ=UTC sacct --allusers --parsable2 --noheader "
                           "--allocations --duplicates")
    assert r"--starttime $(date -d yesterday +\%F) --endtime $(date +\%F)" in cron
    assert ",nodelist,jobname,consumedenergyraw |" in cron
    assert f'-H "Authorization: Bearer {token}"' in cron
    assert cron.endswith('--data-binary @- "https://portail.algoric.example/api/accounting/'
                         '?cluster=breizh&format=sacct"')

    # The token is not kept anywhere it could be shown again.
    for url in (reverse("resources:accounting:cluster_list"), reverse("resources:accounting:list")):
        assert token not in staff_client.get(url).content.decode()
    assert token not in str(dict(staff_client.session))

    # A new token replaces the old one.
    second = staff_client.post(reverse("resources:accounting:cluster_token", args=[cluster.pk]))
    assert second.context["token"] != token
    cluster.refresh_from_db()
    assert cluster.api_token_hash == token_hash(second.context["token"])
