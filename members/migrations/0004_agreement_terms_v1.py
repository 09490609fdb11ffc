"""The first published terms (version 1) of the agreement, for each kind of organisation.

Creates, for each of the six kinds, version 1 of the terms in French and English
when it does not exist yet — a row already there (edited by staff) is never
overwritten. The reverse removes the version 1 rows no agreement uses.

The text is the association's access agreement: one set of common articles, with
an article of specific provisions per kind inserted as article 5. It names the
association and La Fabrique du Loch, Auray, and no other place, person or figure:
amounts (membership fee, prices) are those the association publishes.
"""

from django.db import migrations

VERSION = 1
KINDS = ("sme", "lab", "public_body", "school", "association", "individual")

TITLES = {
    "sme": ("Convention d’accès aux moyens de calcul d’Algoric — Entreprise (PME)",
            "Agreement for access to Algoric’s computing resources — Company (SME)"),
    "lab": ("Convention d’accès aux moyens de calcul d’Algoric — Laboratoire de recherche",
            "Agreement for access to Algoric’s computing resources — Research laboratory"),
    "public_body": ("Convention d’accès aux moyens de calcul d’Algoric — Collectivité ou "
                    "organisme public",
                    "Agreement for access to Algoric’s computing resources — Public body"),
    "school": ("Convention d’accès aux moyens de calcul d’Algoric — Établissement "
               "d’enseignement",
               "Agreement for access to Algoric’s computing resources — School"),
    "association": ("Convention d’accès aux moyens de calcul d’Algoric — Association",
                    "Agreement for access to Algoric’s computing resources — Association"),
    "individual": ("Convention d’accès aux moyens de calcul d’Algoric — Membre individuel",
                   "Agreement for access to Algoric’s computing resources — Individual member"),
}

# --- Common articles: (French title, French body, English title, English body) ------------
# "{data}" stands for the number of the article on data (filled in by _body).

PURPOSE = (
    "Objet",
    """La présente convention fixe les conditions dans lesquelles l’Association donne à
l’Adhérent accès aux moyens de calcul qu’elle exploite : calcul intensif (heures-cœur et
heures-GPU), stockage et services associés. Ces moyens reposent sur du matériel de calcul
recyclé, cédé par des centres de calcul qui renouvellent leurs équipements.

Algoric est un mésocentre, un centre de calcul de proximité porté par une association au sein
d’un fablab. Il s’adresse en priorité à celles et ceux qui n’ont pas accès aux centres de
calcul nationaux — entreprises, laboratoires, collectivités, établissements d’enseignement,
associations et particuliers — et privilégie l’accompagnement humain à la puissance brute.""",
    "Purpose",
    """This agreement sets the conditions under which the Association gives the Member access
to the computing resources it operates: high-performance computing (core-hours and
GPU-hours), storage and related services. These resources run on recycled computing hardware,
handed over by computing centres that renew their equipment.

Algoric is a mesocentre, a local computing centre run by an association within a fablab. It
serves first those who have no access to the national computing centres — companies,
laboratories, public bodies, schools, associations and individuals — and values human support
above raw power.""",
)

PREREQUISITES = (
    "Conditions préalables",
    """L’accès aux moyens de calcul suppose, pendant toute sa durée :

1. que l’Adhérent soit à jour de son adhésion annuelle à l’Association (cotisation de
   l’année en cours payée) ;
2. que la présente convention soit en vigueur, c’est-à-dire signée par l’Adhérent et
   contresignée par l’Association ;
3. que les travaux soient rattachés à un projet (fiche projet) déclaré sur le portail de
   l’Association.

Lorsque l’une de ces conditions cesse d’être remplie, les nouvelles demandes de ressources
sont refusées et les accès peuvent être suspendus jusqu’à régularisation.""",
    "Prerequisites",
    """Access to the computing resources requires, throughout:

1. that the Member’s yearly membership of the Association is paid (the fee of the current
   year);
2. that this agreement is in force, that is signed by the Member and countersigned by the
   Association;
3. that the work belongs to a project (project sheet) declared on the Association’s portal.

When one of these conditions is no longer met, new resource requests are refused and access
may be suspended until the situation is put right.""",
)

ASSOCIATION_PROVIDES = (
    "Engagements de l’Association",
    """L’Association met à la disposition de l’Adhérent :

- du temps de calcul et d’autres ressources (stockage, machines virtuelles, bases de
  données), attribués par son équipe après examen des demandes de ressources déposées sur le
  portail pour chaque projet, dans la limite des capacités disponibles ;
- un accompagnement humain : aide à la prise en main, conseil sur le choix des ressources et
  sur l’adaptation des codes de calcul à l’exécution parallèle ;
- des formations à l’usage des calculateurs, à leur administration et à la programmation
  parallèle, selon le programme qu’elle publie ;
- un relevé de l’usage des ressources attribuées, consultable sur le portail.

L’Association agit au mieux de ses moyens. Le matériel est recyclé et exploité par une petite
équipe : aucune disponibilité, aucun délai de traitement et aucune performance ne sont
garantis. Les interruptions pour maintenance sont annoncées à l’avance autant que possible.
L’Association ne garantit pas la sauvegarde des données : l’Adhérent conserve lui-même une
copie de ses données et de ses codes importants.""",
    "What the Association provides",
    """The Association makes available to the Member:

- computing time and other resources (storage, virtual machines, databases), allocated by its
  staff after review of the resource requests filed on the portal for each project, within
  the capacity available;
- human support: help in getting started, advice on the choice of resources and on adapting
  computing codes to parallel execution;
- training in the use of the computers, their administration and parallel programming, as
  announced in the programme it publishes;
- a statement of the use of the resources allocated, available on the portal.

The Association acts on a best-effort basis. The hardware is recycled and run by a small team:
no availability, turnaround time or performance is guaranteed. Maintenance interruptions are
announced in advance whenever possible. The Association does not guarantee backups: the Member
keeps its own copy of its important data and code.""",
)

MEMBER_OBLIGATIONS = (
    "Obligations de l’Adhérent",
    """L’Adhérent s’engage à :

1. utiliser les ressources de manière licite, pour les seuls projets déclarés, conformément à
   la présente convention et aux règles d’usage publiées par l’Association ; sont notamment
   interdits le minage de cryptomonnaies, toute atteinte à la sécurité de systèmes tiers et
   le stockage de contenus illicites ;
2. ne donner accès aux ressources qu’à des utilisateurs nommément désignés, disposant chacun
   d’un compte personnel sur le portail ; tenir la liste de ses utilisateurs à jour et
   signaler sans délai tout départ ;
3. désigner un référent calcul et données, interlocuteur technique de l’Association ;
4. veiller à ce que ses utilisateurs protègent leurs moyens d’authentification (mots de
   passe, clés SSH), ne les partagent pas et ne laissent personne d’autre utiliser leur
   compte ;
5. ne traiter sur les machines de l’Association aucune donnée de santé à caractère personnel
   ni aucune autre catégorie particulière de données au sens de l’article 9 du RGPD, sauf
   accord écrit préalable de l’Association ;
6. mentionner l’Association dans les publications, rapports et communications qui
   s’appuient sur des calculs réalisés grâce à elle, par exemple : « Ces travaux ont
   bénéficié des moyens de calcul du mésocentre Algoric (association Algoric, La Fabrique du
   Loch, Auray). » ;
7. signaler sans délai à l’Association tout incident de sécurité, toute perte ou tout vol
   d’identifiants et tout usage anormal constaté ;
8. répondre de l’usage que ses utilisateurs font des ressources.""",
    "Obligations of the Member",
    """The Member undertakes to:

1. use the resources lawfully, for the declared projects only, in accordance with this
   agreement and the rules of use published by the Association; in particular,
   cryptocurrency mining, any attack on the security of third-party systems and the storage
   of unlawful content are forbidden;
2. give access to the resources only to named users, each with a personal account on the
   portal; keep its list of users up to date and report any departure without delay;
3. appoint a computing and data referent, the Association’s technical contact;
4. make sure its users protect their credentials (passwords, SSH keys), do not share them and
   let no one else use their account;
5. process on the Association’s machines no personal health data, nor any other special
   category of data within the meaning of Article 9 of the GDPR, without the Association’s
   prior written consent;
6. acknowledge the Association in the publications, reports and communications based on
   computations made with its resources, for instance: “This work used the computing
   resources of the Algoric mesocentre (association Algoric, La Fabrique du Loch, Auray).”;
7. report to the Association without delay any security incident, any loss or theft of
   credentials and any abnormal use noticed;
8. answer for the use its users make of the resources.""",
)

DATA = (
    "Données et vie privée",
    """Les données, codes et résultats de l’Adhérent restent sa propriété. L’Association n’y
accède que dans la mesure nécessaire à l’exploitation des machines et à l’assistance
demandée, et n’en fait aucun autre usage.

Au sens du règlement général sur la protection des données (RGPD) :

- pour les données à caractère personnel que l’Adhérent traite sur les machines de
  l’Association, l’Adhérent est responsable de traitement et l’Association agit en qualité
  de sous-traitant (article 28 du RGPD), sur instruction de l’Adhérent et pour la seule
  exécution de la présente convention ;
- pour les données nécessaires à la gestion des comptes et au suivi de l’usage (identité et
  adresse électronique des utilisateurs, relevés des travaux de calcul), l’Association est
  responsable de traitement ; ces données servent à la gestion des accès, à la facturation
  éventuelle et aux statistiques d’activité de l’Association, publiées sous forme agrégée.

Les données restent sur les machines de l’Association ; elles ne sont communiquées à aucun
tiers, sauf obligation légale. À la fin de la convention, l’Adhérent récupère ses données
dans le délai que l’Association lui indique ; celle-ci les efface ensuite de ses machines.""",
    "Data and privacy",
    """The Member’s data, code and results remain its property. The Association accesses them
only as far as needed to run the machines and give the support asked for, and makes no other
use of them.

Within the meaning of the General Data Protection Regulation (GDPR):

- for the personal data the Member processes on the Association’s machines, the Member is the
  controller and the Association acts as a processor (Article 28 of the GDPR), on the Member’s
  instructions and for the sole performance of this agreement;
- for the data needed to manage accounts and follow usage (users’ identity and email address,
  records of computing jobs), the Association is the controller; these data serve to manage
  access, for invoicing where applicable and for the Association’s activity statistics,
  published in aggregate form only.

The data stay on the Association’s machines; they are disclosed to no third party, unless the
law requires it. At the end of the agreement, the Member retrieves its data within the period
the Association gives it; the Association then deletes them from its machines.""",
)

ENERGY = (
    "Énergie et calcul sobre",
    """L’électricité est le premier coût du calcul. L’Association en fait un sujet partagé avec
ses membres (« green computing ») :

- elle relève l’usage des ressources par chaque projet et en estime la consommation
  d’énergie et les émissions de gaz à effet de serre correspondantes (en équivalent CO2), à
  partir de l’énergie mesurée lorsque les machines la fournissent, sinon d’un modèle
  d’estimation dont elle publie la méthode ;
- elle communique chaque année à l’Adhérent un relevé de son usage et de ces estimations ;
- l’Adhérent s’efforce de dimensionner ses demandes au plus juste et d’optimiser ses
  calculs ; l’Association l’accompagne dans cette démarche.""",
    "Energy and green computing",
    """Electricity is the main cost of computing. The Association makes it a concern shared with
its members (green computing):

- it records the use of the resources by each project and estimates the energy consumed and
  the corresponding greenhouse gas emissions (in CO2 equivalent), from the energy measured
  where the machines report it, otherwise from an estimation model whose method it publishes;
- it reports the Member’s usage and these estimates to the Member every year;
- the Member strives to size its requests to its real needs and to optimise its
  computations; the Association helps it to do so.""",
)

FEES = (
    "Conditions financières",
    """L’Adhérent verse la cotisation annuelle d’adhésion à l’Association, dont le montant est
fixé par l’Association pour chaque catégorie de membre. Lorsque des ressources font l’objet
d’un prix, celui-ci est celui du catalogue publié par l’Association sur son portail à la date
de l’attribution, porté à la connaissance de l’Adhérent avant celle-ci. Les cotisations
versées restent acquises à l’Association.""",
    "Fees",
    """The Member pays the yearly membership fee of the Association, whose amount the
Association sets for each category of member. Where resources have a price, it is the price
in the catalogue the Association publishes on its portal on the date of the allocation, made
known to the Member beforehand. Membership fees paid are not refundable.""",
)

LIABILITY = (
    "Responsabilité",
    """Les ressources sont fournies en l’état, sans garantie d’aucune sorte, notamment de
disponibilité, de performance, d’exactitude des résultats ou de conservation des données.
L’Association n’est tenue qu’à une obligation de moyens ; sa responsabilité ne peut être
engagée qu’en cas de faute prouvée et, sauf faute lourde ou intentionnelle, elle est limitée
aux sommes versées par l’Adhérent à l’Association au titre de l’année en cours. Elle ne
répond pas des dommages indirects, tels que la perte de données, de chiffre d’affaires ou de
chance.

L’Adhérent répond des dommages causés par l’usage que lui-même ou ses utilisateurs font des
ressources en violation de la présente convention ou de la loi.""",
    "Liability",
    """The resources are provided as they are, without warranty of any kind, in particular of
availability, performance, correctness of results or preservation of data. The Association
has a best-efforts obligation only; it is liable only for proven fault and, save for gross
negligence or wilful misconduct, its liability is limited to the sums paid by the Member to
the Association for the current year. It is not liable for indirect damage, such as loss of
data, revenue or opportunity.

The Member is liable for damage caused by the use that it or its users make of the resources
in breach of this agreement or of the law.""",
)

DURATION = (
    "Durée",
    """La convention prend effet à la date de sa contresignature par l’Association, pour une
durée d’un an. Elle n’est pas reconduite tacitement : son renouvellement fait l’objet d’une
nouvelle convention, que l’Adhérent peut demander sur le portail avant l’échéance. L’accès
aux ressources prend fin avec la convention.""",
    "Duration",
    """The agreement takes effect on the date of its countersignature by the Association, for one
year. It is not renewed automatically: a renewal is a new agreement, which the Member may ask
for on the portal before the end date. Access to the resources ends with the agreement.""",
)

TERMINATION = (
    "Résiliation",
    """Chacune des parties peut résilier la convention à tout moment, par écrit (courrier ou
courriel avec accusé de réception), moyennant un préavis d’un mois.

L’Association peut suspendre les accès sans délai en cas de manquement mettant en cause la
sécurité de ses machines ou de ses autres utilisateurs. Elle peut résilier la convention pour
manquement de l’Adhérent à ses obligations, après une mise en demeure restée sans effet, ou
sans préavis en cas de manquement grave.

La résiliation met fin aux accès ; l’article {data} s’applique à la récupération et à
l’effacement des données. Elle n’ouvre droit à aucun remboursement de la cotisation.""",
    "Termination",
    """Either party may terminate the agreement at any time, in writing (letter or email with
acknowledgement of receipt), with one month’s notice.

The Association may suspend access at once in case of a breach that endangers the security of
its machines or of its other users. It may terminate the agreement for the Member’s breach of
its obligations, after a formal notice that remained without effect, or without notice in case
of a serious breach.

Termination ends access; Article {data} applies to the retrieval and deletion of data. It gives
no right to a refund of the membership fee.""",
)

DISPUTES = (
    "Litiges",
    """La présente convention est soumise au droit français. Les parties s’efforcent de régler à
l’amiable tout différend relatif à son interprétation ou à son exécution. À défaut d’accord
amiable, le différend est porté devant les tribunaux français compétents du ressort du siège
de l’Association.""",
    "Disputes",
    """This agreement is governed by French law. The parties shall first seek an amicable
settlement of any dispute about its interpretation or performance. Failing an amicable
settlement, the dispute is brought before the competent French courts of the place of the
Association’s registered seat. In case of discrepancy between the French and English versions
of these terms, the French version prevails.""",
)

# --- Specific provisions, one article per kind --------------------------------------------

SPECIFIC = {
    "sme": (
        "Dispositions particulières aux entreprises",
        """**Usage commercial.** L’Adhérent peut utiliser les ressources à des fins commerciales,
pour ses propres activités de recherche, de développement ou de production. Il ne peut ni
revendre l’accès aux ressources ni le mettre à la disposition de tiers.

**Confidentialité.** L’Association garde confidentiels les codes, données, résultats et
informations techniques de l’Adhérent dont elle a connaissance. Seules les personnes de son
équipe chargées de l’exploitation des machines ou de l’assistance y accèdent, dans la mesure
nécessaire, et elles sont tenues à la même obligation. Cette obligation survit à la fin de la
convention.

**Propriété.** L’Association n’acquiert aucun droit sur les codes, données et résultats de
l’Adhérent. Elle ne cite l’Adhérent comme utilisateur qu’avec son accord ; ses statistiques
d’activité ne publient que des chiffres agrégés. La mention prévue à l’article 4 ne concerne
que les publications que l’Adhérent choisit de rendre publiques.""",
        "Specific provisions for companies",
        """**Commercial use.** The Member may use the resources for commercial purposes, for its
own research, development or production. It may neither resell access to the resources nor
make it available to third parties.

**Confidentiality.** The Association keeps confidential the Member’s code, data, results and
technical information it comes to know. Only the members of its team who run the machines or
give support access them, as far as needed, and they are bound by the same obligation. This
obligation survives the end of the agreement.

**Ownership.** The Association acquires no right to the Member’s code, data and results. It
names the Member as a user only with its consent; its activity statistics publish aggregate
figures only. The acknowledgement of Article 4 applies only to the publications the Member
chooses to make public.""",
    ),
    "lab": (
        "Dispositions particulières aux laboratoires : science ouverte",
        """Les travaux menés dans le cadre de la convention s’inscrivent dans la science
ouverte :

- l’Adhérent s’efforce de publier les résultats obtenus, de préférence en accès ouvert (par
  exemple dans une archive ouverte telle que HAL) ;
- chaque projet dispose d’un plan de gestion des données (PGD, ou DMP), dont le lien figure
  dans sa fiche projet sur le portail ; les données produites sont gérées selon les principes
  FAIR (faciles à trouver, accessibles, interopérables, réutilisables), aussi ouvertes que
  possible et aussi fermées que nécessaire ;
- les codes développés sont, autant que possible, diffusés sous licence libre ;
- l’Adhérent communique à l’Association la liste des publications issues des calculs
  réalisés, qu’elle peut citer dans son rapport d’activité.

Des restrictions (confidentialité liée à un partenariat industriel, brevet en préparation)
peuvent être convenues par écrit, projet par projet.""",
        "Specific provisions for laboratories: open science",
        """The work done under this agreement follows open science:

- the Member strives to publish the results obtained, preferably in open access (for instance
  in an open archive such as HAL);
- each project has a data management plan (DMP), linked from its project sheet on the portal;
  the data produced are managed according to the FAIR principles (findable, accessible,
  interoperable, reusable), as open as possible and as closed as necessary;
- the code developed is released under a free licence whenever possible;
- the Member tells the Association which publications result from the computations made,
  which the Association may cite in its activity report.

Restrictions (confidentiality required by an industrial partnership, a patent in preparation)
may be agreed in writing, project by project.""",
    ),
    "public_body": (
        "Dispositions particulières aux organismes publics : calcul d’urgence",
        """**Intérêt général.** L’Adhérent utilise les ressources pour ses missions de service
public : services numériques (par exemple des serveurs pour les médiathèques), traitement et
intégration des données publiques du territoire, études et simulations.

**Calcul d’urgence.** En cas d’urgence — par exemple la modélisation d’une crue ou un besoin
humanitaire — l’Adhérent peut déposer sur le portail une demande de ressources de type
« urgence ». Elle est signalée immédiatement à l’équipe de l’Association et traitée en
priorité ; si nécessaire, les travaux correspondants passent avant ceux des autres projets.
Ce traitement prioritaire est assuré au mieux des moyens de l’Association, sans délai garanti
(article 3). L’Adhérent désigne à cet effet un contact joignable pendant toute la durée de
l’urgence.""",
        "Specific provisions for public bodies: emergency computing",
        """**General interest.** The Member uses the resources for its public service missions:
digital services (for instance servers for media libraries), processing and integration of the
territory’s public data, studies and simulations.

**Emergency computing.** In an emergency — for instance flood modelling or a humanitarian
need — the Member may file an “emergency” resource request on the portal. The Association’s
staff are alerted at once and handle it first; where needed, the corresponding jobs run before
those of other projects. This priority handling is given on a best-effort basis, with no
guaranteed delay (Article 3). For this purpose the Member appoints a contact who can be reached
throughout the emergency.""",
    ),
    "school": (
        "Dispositions particulières aux établissements d’enseignement",
        """Les ressources servent à l’enseignement et à la découverte du calcul : travaux
pratiques, projets d’élèves ou d’étudiants, découverte des métiers du numérique. Elles ne
peuvent pas être utilisées à des fins commerciales.

- Les élèves et étudiants utilisent les ressources sous la responsabilité d’un enseignant
  nommément désigné, qui encadre leurs travaux, demande et suit leurs comptes et veille au
  respect de la présente convention ; l’Adhérent communique son nom à l’Association.
- Pour les élèves mineurs, les comptes sont demandés par l’enseignant et l’Adhérent recueille
  les autorisations nécessaires ; seules les données strictement nécessaires à la création des
  comptes sont communiquées à l’Association.
- Les comptes des élèves et étudiants sont fermés à la fin de l’activité pédagogique, et au
  plus tard à la fin de l’année scolaire ou universitaire.
- L’Association peut intervenir dans les classes pour présenter le calcul intensif, ses
  notions et ses métiers, selon des modalités convenues avec l’établissement.""",
        "Specific provisions for schools",
        """The resources serve teaching and the discovery of computing: practical work, pupils’ or
students’ projects, discovery of digital careers. They may not be used for commercial
purposes.

- Pupils and students use the resources under the responsibility of a named teacher, who
  supervises their work, requests and follows their accounts and makes sure this agreement is
  respected; the Member gives the teacher’s name to the Association.
- For pupils who are minors, accounts are requested by the teacher and the Member obtains the
  necessary permissions; only the data strictly needed to create the accounts are given to the
  Association.
- Pupils’ and students’ accounts are closed at the end of the teaching activity, and at the
  latest at the end of the school or academic year.
- The Association may visit classes to present high-performance computing, its notions and
  its careers, as agreed with the school.""",
    ),
    "association": (
        "Dispositions particulières aux associations",
        """L’Adhérent utilise les ressources pour des activités d’intérêt général, à but non
lucratif et conformes à son objet statutaire. Toute utilisation commerciale est soumise à
l’accord écrit préalable de l’Association.

L’Adhérent s’efforce de partager les connaissances, les codes et les résultats issus de ces
travaux (licences libres, documentation), dans l’esprit de la culture du libre que
l’Association promeut.""",
        "Specific provisions for associations",
        """The Member uses the resources for general-interest, non-profit activities in keeping
with its statutory purpose. Any commercial use requires the Association’s prior written
consent.

The Member strives to share the knowledge, code and results of this work (free licences,
documentation), in the spirit of the free and open-source culture the Association promotes.""",
    ),
    "individual": (
        "Dispositions particulières aux membres individuels",
        """L’Adhérent est une personne physique, membre de l’Association à titre individuel. Il
utilise les ressources à des fins personnelles — apprentissage, projets personnels,
contribution à des projets libres — et non commerciales, sauf accord écrit préalable de
l’Association.

L’Adhérent est le seul utilisateur de son compte et son propre référent calcul et données ;
les obligations de l’article 4 s’appliquent à lui directement. Les données le concernant
sont traitées par l’Association comme indiqué à l’article {data}.""",
        "Specific provisions for individual members",
        """The Member is a natural person, a member of the Association in their own name. They
use the resources for personal purposes — learning, personal projects, contributions to
open-source projects — and not for commercial ones, unless the Association agrees in writing
beforehand.

The Member is the only user of their account and their own computing and data referent; the
obligations of Article 4 apply to them directly. The data about them are processed by the
Association as set out in Article {data}.""",
    ),
}


def _french_spacing(text):
    """Non-breaking spaces of French typography inside « », before : ; ! ?"""
    for plain, fixed in (("« ", "«\u00a0"), (" »", "\u00a0»"), (" :", "\u00a0:"),
                         (" ;", "\u202f;"), (" !", "\u202f!"), (" ?", "\u202f?")):
        text = text.replace(plain, fixed)
    return text


def _body(kind, language):
    """The Markdown terms of ``kind`` in ``language`` ("fr" or "en"), articles numbered."""
    articles = [PURPOSE, PREREQUISITES, ASSOCIATION_PROVIDES, MEMBER_OBLIGATIONS,
                SPECIFIC[kind], DATA, ENERGY, FEES, LIABILITY, DURATION, TERMINATION,
                DISPUTES]
    data_number = str(articles.index(DATA) + 1)
    word = "Article"
    parts = []
    for number, (title_fr, body_fr, title_en, body_en) in enumerate(articles, start=1):
        title, body = (title_fr, body_fr) if language == "fr" else (title_en, body_en)
        body = body.replace("{data}", data_number)
        parts.append(f"## {word} {number} — {title}\n\n{body.strip()}\n")
    text = "\n".join(parts)
    return _french_spacing(text) if language == "fr" else text


def create_terms(apps, schema_editor):
    TermsTemplate = apps.get_model("members", "TermsTemplate")
    for kind in KINDS:
        if TermsTemplate.objects.filter(kind=kind, version=VERSION).exists():
            continue  # never overwrite what staff wrote
        title_fr, title_en = TITLES[kind]
        TermsTemplate.objects.create(
            kind=kind, version=VERSION, is_published=True,
            title_fr=title_fr, title_en=title_en,
            body_fr=_body(kind, "fr"), body_en=_body(kind, "en"),
        )


def delete_unused_terms(apps, schema_editor):
    TermsTemplate = apps.get_model("members", "TermsTemplate")
    TermsTemplate.objects.filter(kind__in=KINDS, version=VERSION,
                                 agreements__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0003_organisations_memberships_agreements"),
    ]

    operations = [
        migrations.RunPython(create_terms, delete_unused_terms),
    ]
