"""The privacy page says what is kept after an account is deleted, why and for how long,
and how to download one's data or delete one's account ("My data").

Only a page that staff have not edited (its text is still the first version of
0002_initial_pages) is changed; an edited page is left alone. Reversing puts the first
version back, again only if the text is still the one written here.
"""

import importlib

from django.db import migrations

SEED = importlib.import_module("algoric.pages.migrations.0002_initial_pages")

FR_REPLACEMENTS = [
    (
        "- **Les journaux de sécurité**, qui comprennent des adresses IP, utilisés pour\n"
        "  limiter les tentatives abusives et pour l'audit.\n",
        "- **Le journal d'audit** : connexions réussies et échouées, changements de mot de\n"
        "  passe, d'adresse électronique et de double authentification, accès refusés,\n"
        "  téléchargements de conventions et de rapports, et actions de l'équipe ; chaque\n"
        "  entrée garde la date, la personne et l'adresse IP. Il sert à limiter les\n"
        "  tentatives abusives et à retracer qui a fait quoi.\n",
    ),
    (
        "- **Journaux de sécurité** : 12 mois.\n",
        "- **Journal d'audit** : 12 mois.\n"
        "\n"
        "## Ce que nous gardons quand vous supprimez votre compte\n"
        "\n"
        "Votre nom, vos adresses électroniques, vos moyens de double authentification,\n"
        "vos rattachements aux organisations et vos notifications sont supprimés, vos\n"
        "sessions sont fermées et vous ne pouvez plus vous connecter. Votre compte devient\n"
        "« compte supprimé » (anonymisé). L'association garde, rattachés à ce compte\n"
        "anonymisé :\n"
        "\n"
        "- **les conventions signées** pour vos organisations et leur historique : ce sont\n"
        "  des contrats, conservés pendant la durée requise par la loi pour les comptes de\n"
        "  l'association ;\n"
        "- **les demandes de ressources, commentaires et décisions** des projets : ils\n"
        "  justifient les allocations accordées, conservés avec la comptabilité ;\n"
        "- **les relevés de comptabilité des calculs**, avec votre identifiant sur le\n"
        "  calculateur : ils fondent la comptabilité et les chiffres d'énergie des\n"
        "  projets, conservés avec la comptabilité ;\n"
        "- **le journal d'audit** : 12 mois, pour la sécurité.\n"
        "\n"
        "La suppression est refusée tant que vous êtes le seul représentant d'une\n"
        "organisation ou le responsable scientifique (PI) d'un projet actif : la page\n"
        "vous dit alors quoi faire d'abord.\n",
    ),
    (
        "Pour les exercer, utilisez [votre profil](/account/profile/) sur le portail, ou\n"
        "écrivez à l'association.",
        "La page [Mes données](/account/my-data/) vous permet de **télécharger toutes vos\n"
        "données** (un fichier JSON) et de **supprimer votre compte**, après avoir saisi à\n"
        "nouveau votre mot de passe. Pour rectifier vos données, utilisez [votre\n"
        "profil](/account/profile/) ; pour les autres droits, écrivez à l'association.",
    ),
]

EN_REPLACEMENTS = [
    (
        "- **Security logs**, which include IP addresses, used for rate limiting and for\n"
        "  audit.\n",
        "- **The audit trail**: successful and failed logins, changes of password, email\n"
        "  address and two-factor authentication, denied access, downloads of agreements\n"
        "  and reports, and the staff's actions; each entry keeps the time, the person and\n"
        "  the IP address. It is used for rate limiting and to trace who did what.\n",
    ),
    (
        "- **Security logs**: 12 months.\n",
        "- **Audit trail**: 12 months.\n"
        "\n"
        "## What we keep when you delete your account\n"
        "\n"
        "Your name, email addresses, two-factor methods, organisation memberships and\n"
        "notifications are deleted, your sessions are ended and you can no longer log in.\n"
        "Your account becomes a \"deleted account\" (anonymised). The association keeps,\n"
        "attached to this anonymised account:\n"
        "\n"
        "- **the agreements signed** for your organisations and their history: they are\n"
        "  contracts, kept for the period required by law for the association's accounts;\n"
        "- **the resource requests, comments and decisions** of projects: they justify the\n"
        "  allocations granted, kept with the accounts;\n"
        "- **the job accounting records**, with your login on the cluster: they are the\n"
        "  basis of the projects' accounting and energy figures, kept with the accounts;\n"
        "- **the audit trail**: 12 months, for security.\n"
        "\n"
        "Deletion is refused while you are the only representative of an organisation or\n"
        "the PI of an active project: the page then tells you what to do first.\n",
    ),
    (
        "To exercise them, use [your profile](/en/account/profile/) on the portal, or write to\n"
        "the association.",
        "The [My data](/en/account/my-data/) page lets you **download all your data** (a\n"
        "JSON file) and **delete your account**, after typing your password again. To\n"
        "correct your data, use [your profile](/en/account/profile/); for the other rights,\n"
        "write to the association.",
    ),
]


def _apply(text: str, replacements, reverse: bool = False) -> str:
    for old, new in replacements:
        if reverse:
            old, new = new, old
        text = text.replace(old, new, 1)
    return text


NEW_FR = _apply(SEED.PRIVACY_FR, FR_REPLACEMENTS)
NEW_EN = _apply(SEED.PRIVACY_EN, EN_REPLACEMENTS)


def forwards(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    page = Page.objects.filter(slug="privacy").first()
    if page is None or (page.body_fr, page.body_en) != (SEED.PRIVACY_FR, SEED.PRIVACY_EN):
        return  # missing, or edited by staff: left alone
    Page.objects.filter(pk=page.pk).update(body_fr=NEW_FR, body_en=NEW_EN)


def backwards(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    Page.objects.filter(slug="privacy", body_fr=NEW_FR, body_en=NEW_EN).update(
        body_fr=SEED.PRIVACY_FR, body_en=SEED.PRIVACY_EN)


class Migration(migrations.Migration):
    dependencies = [("pages", "0002_initial_pages")]

    operations = [migrations.RunPython(forwards, backwards)]
