"""Forms of the staff accounting pages: uploading an accounting file, adding a cluster."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AccountingImport, Cluster


class AccountingUploadForm(forms.Form):
    """An accounting file to import, its format and the cluster it comes from.

    The size cap, the duplicate check and the import itself belong to the view and
    to :func:`resources.accounting.services.imports.accounting_import_create`; this form only
    checks that each field is given and valid.
    """

    file = forms.FileField(
        label=_("Accounting file"),
        help_text=_("The output of sacct --parsable2 (26 fields, with or without a header "
                    "line) or an SWF trace; it may be compressed with gzip."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=AccountingImport.Format.choices,
                               initial=AccountingImport.Format.SACCT)
    cluster = forms.ModelChoiceField(
        label=_("Cluster"), queryset=Cluster.objects.none(), to_field_name="name",
        empty_label=None,
        help_text=_("The cluster the jobs ran on."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cluster"].queryset = Cluster.objects.order_by("name")


class ClusterForm(forms.Form):
    """The name of a cluster to add (checked by
    :func:`~resources.services.clusters.cluster_create`)."""

    name = forms.CharField(
        label=_("Name"), max_length=64,
        help_text=_("As Slurm names it: the Cluster field of sacct, e.g. pozidriv."),
    )
