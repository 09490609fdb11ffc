"""Who is in the demonstration association: organisations of every kind, their people,
their memberships and agreements, and their projects.

All of it is invented for the demonstration (names, addresses, SIRET numbers that only
pass the Luhn check); only the accounting the projects compute on is real (see
``traces``). Emails end in ``@demo.algoric.org``.
"""

from __future__ import annotations

#: One password for every demonstration person (local use only; printed by the command).
PEOPLE_PASSWORD = "demo-people-Gwened-2026"  # noqa: S105 (local demo only)

#: Domain of every demonstration email address.
DOMAIN = "demo.algoric.org"


def email_of(local: str) -> str:
    """The demonstration email address of ``local`` (``member`` → member@demo.algoric.org)."""
    return f"{local}@{DOMAIN}"


#: Organisations: key → kind, name, city and postal code, website, people.
#: ``people``: (email local part, first name, last name, role in the organisation);
#: the first is the representative. ``membership``: this year's and last year's
#: membership states (``paid``, ``pending``, ``waived``, ``lapsed`` or ``None`` for
#: none). ``agreement``: the state its agreement is brought to (``active``,
#: ``expired``, ``submitted``, ``approved``, ``draft``, ``rejected`` or ``None``);
#: ``agreement_days``: for ``active``, how many days ago it was countersigned.
ORGANISATIONS = {
    "hydromor": {
        "kind": "sme", "name": "Hydro-Mor Ingénierie", "city": "Lorient", "postal_code": "56100",
        "address": "12 quai des Indes", "website": "https://hydromor.example",
        "people": [("nolwenn.le-roux", "Nolwenn", "Le Roux", "representative"),
                   ("kevin.guillou", "Kévin", "Guillou", "referent"),
                   ("anaig.cadoret", "Anaïg", "Cadoret", "member")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 290,
    },
    "navalkalkul": {
        "kind": "sme", "name": "Naval Kalkul SAS", "city": "Lanester", "postal_code": "56600",
        "address": "3 rue de l'Arsenal", "website": "https://navalkalkul.example",
        "people": [("loic.jegou", "Loïc", "Jégou", "representative"),
                   ("morgane.le-gall", "Morgane", "Le Gall", "referent")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 20,
    },
    "breizhgenomique": {
        "kind": "sme", "name": "Breizh Génomique SARL", "city": "Vannes",
        "postal_code": "56000", "address": "8 allée du Parc d'Innovation",
        "website": "https://breizh-genomique.example",
        "people": [("soizic.tanguy", "Soizic", "Tanguy", "representative")],
        "membership": ("pending", None), "agreement": "submitted",
    },
    "lobs": {
        "kind": "lab", "name": "Laboratoire d'océanographie de Bretagne Sud", "city": "Vannes",
        "postal_code": "56000", "address": "Campus de Tohannic, rue André Lwoff",
        "website": "https://lobs.example",
        "people": [("yannick.le-floch", "Yannick", "Le Floch", "representative"),
                   ("member", "Yann", "Kervella", "member"),
                   ("gaelle.morvan", "Gaëlle", "Morvan", "referent"),
                   ("tugdual.le-bris", "Tugdual", "Le Bris", "member"),
                   ("katell.nicol", "Katell", "Nicol", "member")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 250,
    },
    "lppo": {
        "kind": "lab", "name": "Laboratoire de physique des particules de l'Ouest",
        "city": "Vannes", "postal_code": "56000", "address": "1 rue de la Loi",
        "website": "https://lppo.example",
        "people": [("herve.le-meur", "Hervé", "Le Meur", "representative"),
                   ("armelle.quere", "Armelle", "Quéré", "referent"),
                   ("ronan.pichon", "Ronan", "Pichon", "member"),
                   ("elodie.bothorel", "Élodie", "Bothorel", "member"),
                   ("mael.corre", "Maël", "Corre", "member")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 200,
    },
    "irml": {
        "kind": "lab", "name": "Institut de recherche sur les matériaux de Lorient",
        "city": "Lorient", "postal_code": "56100", "address": "2 rue Le Coat Saint-Haouen",
        "website": "https://irml.example",
        "people": [("sterenn.rio", "Sterenn", "Rio", "representative"),
                   ("bastien.le-moing", "Bastien", "Le Moing", "member")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 120,
    },
    "auray": {
        "kind": "public_body", "name": "Ville d'Auray", "city": "Auray", "postal_code": "56400",
        "address": "Place de la République", "website": "https://auray.example",
        "people": [("mairie", "Annick", "Le Dorze", "representative"),
                   ("pierrick.evano", "Pierrick", "Évano", "referent")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 300,
    },
    "golfe": {
        "kind": "public_body", "name": "Syndicat mixte du golfe du Morbihan",
        "city": "Vannes", "postal_code": "56000", "address": "Maison du golfe, rue du Port",
        "website": "https://golfe-morbihan.example",
        "people": [("glenn.le-bihan", "Glenn", "Le Bihan", "representative"),
                   ("lena.jaffre", "Léna", "Jaffré", "referent")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 150,
    },
    "mediatheque": {
        "kind": "public_body", "name": "Médiathèque de la ria d'Étel", "city": "Étel",
        "postal_code": "56410", "address": "5 rue de la Barre", "website": "",
        "people": [("ewen.daniel", "Ewen", "Daniel", "representative")],
        "membership": ("paid", None), "agreement": "approved",
    },
    "lycee": {
        "kind": "school", "name": "Lycée maritime de la ria", "city": "Étel",
        "postal_code": "56410", "address": "38 avenue Louis Bonnec",
        "website": "https://lycee-ria.example",
        "people": [("maiwenn.cozic", "Maïwenn", "Cozic", "representative"),
                   ("thomas.le-garrec", "Thomas", "Le Garrec", "member")],
        "membership": ("waived", "waived"), "agreement": "active", "agreement_days": 60,
    },
    "ecole": {
        "kind": "school", "name": "École d'ingénieurs du Morbihan", "city": "Vannes",
        "postal_code": "56000", "address": "Rue Yves Mainguy",
        "website": "https://eim.example",
        "people": [("fanch.le-goff", "Fañch", "Le Goff", "representative"),
                   ("clemence.berthou", "Clémence", "Berthou", "member")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 100,
    },
    "fabrique": {
        "kind": "association", "name": "Astronomie en pays d'Auray", "city": "Auray",
        "postal_code": "56400", "address": "La Fabrique du Loch, rue du Loch",
        "website": "",
        "people": [("yvon.le-pennec", "Yvon", "Le Pennec", "representative"),
                   ("rozenn.allanic", "Rozenn", "Allanic", "member")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 180,
    },
    "meteo": {
        "kind": "association", "name": "Météo Armor", "city": "Quiberon",
        "postal_code": "56170", "address": "4 place Hoche", "website": "",
        "people": [("corentin.le-toux", "Corentin", "Le Toux", "representative")],
        "membership": ("pending", "lapsed"), "agreement": "expired",
    },
    "bihan": {
        "kind": "individual", "name": "Gwenaëlle Le Bihan", "city": "Carnac",
        "postal_code": "56340", "address": "17 route des Alignements", "website": "",
        "people": [("gwenaelle.le-bihan", "Gwenaëlle", "Le Bihan", "representative")],
        "membership": ("paid", "paid"), "agreement": "active", "agreement_days": 40,
    },
    "tanguy": {
        "kind": "individual", "name": "Erwan Tanguy", "city": "Plouharnel",
        "postal_code": "56340", "address": "2 impasse des Dunes", "website": "",
        "people": [("erwan.tanguy", "Erwan", "Tanguy", "representative")],
        "membership": ("pending", None), "agreement": "draft",
    },
    "cidre": {
        "kind": "sme", "name": "Cidrerie numérique du Loch", "city": "Pluvigner",
        "postal_code": "56330", "address": "Zone de Kerfontaine", "website": "",
        "people": [("jakez.ollivier", "Jakez", "Ollivier", "representative")],
        "membership": ("paid", None), "agreement": "rejected",
    },
}

#: Projects: (key, organisation key, acronym, title, field, summary, account, PI email
#: local part, other members as (local part, role)). ``account`` is
#: ``("pozidriv", name)`` for a Slurm account of the pozidriv trace (the project's own
#: Slurm account) or ``("lcg", group id)`` for a group of the LCG trace (attributed by
#: an account mapping, since a group id is not a valid Slurm account name).
#: ``ratio``: use ÷ grant for (last year, this year) — the grants are sized from the
#: real use so that some projects sit near the 80 % and 100 % thresholds.
PROJECTS = [
    ("houle", "lobs", "HOULE", "Houle et submersion dans le golfe du Morbihan", "earth",
     "Modélisation de la houle et des surcotes lors des tempêtes d'hiver.",
     ("pozidriv", "calla"), "member", [("gaelle.morvan", "manager"),
                                       ("tugdual.le-bris", "member")], (0.74, 0.83)),
    ("sediment", "lobs", "SEDIMENT", "Transport sédimentaire en rivière d'Auray", "earth",
     "Dynamique des vasières et de l'envasement des ports du Loch.",
     ("pozidriv", "taifl"), "yannick.le-floch", [("katell.nicol", "member"),
                                                  ("member", "member")], (0.92, 1.06)),
    ("coque", "navalkalkul", "COQUE", "Résistance à l'avancement de coques de pêche",
     "engineering", "Simulations CFD de carènes de chalutiers plus sobres en gazole.",
     ("pozidriv", "caste"), "loic.jegou", [("morgane.le-gall", "manager")], (0.61, 0.55)),
    ("composite", "irml", "COMPOSITE", "Vieillissement des composites en milieu marin",
     "chemistry", "Dynamique moléculaire de résines époxy au contact de l'eau de mer.",
     ("pozidriv", "balsh"), "sterenn.rio", [("bastien.le-moing", "member")], (0.88, 0.2)),
    ("ria", "lycee", "RIA", "Initiation au calcul parallèle au lycée maritime",
     "education", "Travaux pratiques MPI et OpenMP pour les élèves de BTS.",
     ("pozidriv", "field"), "maiwenn.cozic", [("thomas.le-garrec", "member")], (0.35, 0.5)),
    ("etoiles", "fabrique", "ETOILES", "Photométrie d'étoiles variables amateur",
     "physics", "Réduction d'images du ciel d'Auray prises par les membres du club.",
     ("pozidriv", "savwa"), "yvon.le-pennec", [("rozenn.allanic", "member")], (0.5, 0.3)),
    ("atlas", "lppo", "GRILLE-A", "Analyse de données de collisions (grille de calcul)",
     "physics", "Production Monte-Carlo et reconstruction pour une expérience du LHC.",
     ("lcg", "4"), "herve.le-meur", [("armelle.quere", "manager"), ("ronan.pichon", "member"),
                                      ("elodie.bothorel", "member")], (0.81, 0.97)),
    ("cms", "lppo", "GRILLE-B", "Simulation de détecteur pour la physique des saveurs",
     "physics", "Simulation Geant4 des sous-détecteurs et étalonnage.",
     ("lcg", "1"), "armelle.quere", [("mael.corre", "member")], (0.9, 0.84)),
    ("lhcb", "lppo", "GRILLE-C", "Recherche de désintégrations rares", "physics",
     "Sélection d'événements et ajustements statistiques sur la grille.",
     ("lcg", "16"), "ronan.pichon", [("elodie.bothorel", "member")], (0.7, 1.12)),
    ("crue", "auray", "CRUE-LOCH", "Modélisation des crues du Loch à Auray", "environment",
     "Cartes d'inondation du port de Saint-Goustan pour le plan communal de sauvegarde.",
     ("lcg", "2"), "mairie", [("pierrick.evano", "manager")], (0.83, 0.79)),
    ("marees", "golfe", "MAREES", "Marées et courants du golfe du Morbihan", "earth",
     "Modèle hydrodynamique du golfe pour la gestion des mouillages et de la qualité de "
     "l'eau.", ("lcg", "11"), "glenn.le-bihan", [("lena.jaffre", "manager")], (0.66, 0.9)),
    ("eolien", "hydromor", "EOLIEN", "Fondations d'éoliennes flottantes", "engineering",
     "Calcul de structures et d'ancrages pour un parc éolien flottant au large de Groix.",
     ("lcg", "21"), "nolwenn.le-roux", [("kevin.guillou", "manager"),
                                         ("anaig.cadoret", "member")], (0.95, 1.03)),
    ("hydrolien", "hydromor", "HYDROLIEN", "Hydroliennes en ria d'Étel", "engineering",
     "Simulation des sillages d'hydroliennes dans les courants de la barre d'Étel.",
     ("lcg", "9"), "kevin.guillou", [("anaig.cadoret", "member")], (0.58, 0.64)),
    ("voile", "navalkalkul", "VOILE", "Propulsion vélique de navires de commerce",
     "engineering", "Aérodynamique de voiles rigides pour le cabotage.",
     ("lcg", "5"), "morgane.le-gall", [], (0.77, 0.81)),
    ("algues", "lobs", "ALGUES", "Proliférations d'algues vertes", "biology",
     "Couplage d'un modèle de courants et d'un modèle de croissance des ulves.",
     ("lcg", "7"), "gaelle.morvan", [("katell.nicol", "member")], (0.62, 0.7)),
    ("alliage", "irml", "ALLIAGE", "Corrosion d'alliages d'aluminium", "chemistry",
     "Calculs ab initio de surfaces d'aluminium en présence de chlorures.",
     ("lcg", "8"), "bastien.le-moing", [("sterenn.rio", "manager")], (0.85, 0.6)),
    ("cmb", "ecole", "CMB", "Projet d'élèves : fond diffus cosmologique", "education",
     "Estimation de paramètres cosmologiques par chaînes de Markov, projet de 3e année.",
     ("lcg", "6"), "fanch.le-goff", [("clemence.berthou", "member")], (0.45, 0.52)),
    ("megalithes", "bihan", "MEGALITHES", "Relevés 3D des alignements de Carnac",
     "humanities", "Photogrammétrie des menhirs à partir de photographies de bénévoles.",
     ("lcg", "13"), "gwenaelle.le-bihan", [], (0.8, 0.88)),
    ("climat", "ecole", "CLIMAT", "Descente d'échelle climatique pour le Morbihan",
     "earth", "Projections régionales de précipitations pour les élèves ingénieurs.",
     ("lcg", "10"), "clemence.berthou", [("fanch.le-goff", "manager")], (0.55, 0.4)),
    ("spectres", "lppo", "SPECTRES", "Spectroscopie de noyaux exotiques", "physics",
     "Calculs de structure nucléaire en modèle en couches.",
     ("lcg", "3"), "elodie.bothorel", [("mael.corre", "member")], (0.72, 0.75)),
    ("risques", "golfe", "RISQUES", "Atlas des risques littoraux", "environment",
     "Scénarios d'érosion du trait de côte pour les communes du golfe.",
     ("lcg", "12"), "lena.jaffre", [], (0.6, 0.5)),
]

#: Requests beyond the first approved one of each project: (project key, kind, state,
#: amount asked this year as a share of the project's grant, justification, note).
EXTRA_REQUESTS = [
    ("crue", "emergency", "submitted", 0.5,
     "Crue du Loch annoncée : cartes d'inondation à produire en 48 h pour la préfecture.",
     ""),
    ("atlas", "supplement", "submitted", 0.3,
     "Reprocessing complet des données de l'année, demandé par la collaboration.", ""),
    ("eolien", "supplement", "under_review", 0.25,
     "Campagne de calculs de fatigue supplémentaire demandée par le bureau de contrôle.", ""),
    ("hydrolien", "supplement", "rejected", 2.0,
     "Étude paramétrique complète sur trois sites.",
     "La demande dépasse la capacité disponible cette année ; une demande plus ciblée "
     "sera examinée volontiers."),
    ("etoiles", "supplement", "withdrawn", 0.5,
     "Traitement d'une seconde saison d'observation.", ""),
    ("sediment", "supplement", "draft", 0.4,
     "Prolongation des simulations à l'année complète.", ""),
]
