"""First version of the six public pages (French first, English version).

A page is created only when its slug is missing, so that a later run never
overwrites what staff have edited. Reversing the migration deletes the six slugs.
"""

from textwrap import dedent

from django.db import migrations


def _md(text: str) -> str:
    """Strip the indentation and surrounding blank lines of a Markdown literal."""
    return dedent(text).strip() + "\n"


HOME_FR = _md(
    """
    Algoric est une association qui fait vivre un mésocentre de calcul intensif
    (HPC, pour *High Performance Computing*) au sein de La Fabrique du Loch, le fablab
    d'Auray, dans le Morbihan. Elle redonne vie à des serveurs venus de centres de
    supercalcul qui les ont amortis, et met ce temps de calcul à la disposition de celles
    et ceux qui en ont besoin.

    ## Un centre de calcul à taille humaine

    Les grands calculateurs nationaux et internationaux sont réservés à la recherche
    publique. Pour une PME, une association ou un particulier, disposer d'une machine
    puissante reste souvent hors de portée, faute de budget ou d'équipe spécialisée.
    Algoric veut combler ce manque à l'échelle du territoire.

    Notre priorité n'est pas la course à la puissance : c'est l'accompagnement. Nous
    aidons chacun à comprendre le calcul intensif, à adapter ses programmes et à utiliser
    les ressources avec discernement.

    ## À qui s'adresse Algoric ?

    - **Les entreprises et les PME**, qui veulent profiter du calcul intensif sans
      investir dans leur propre infrastructure ;
    - **les laboratoires universitaires** de la région, voisins du fablab ;
    - **les collectivités et organismes publics**, y compris pour des calculs d'urgence
      comme la modélisation de crues ou l'appui à une action humanitaire ;
    - **les écoles et les lycées**, pour découvrir les notions et les métiers du calcul ;
    - **les associations et les membres individuels** qui souhaitent apprendre.

    ## Calculer sobrement

    L'électricité est le premier coût d'un calcul. Donner une seconde vie à du matériel
    plutôt que d'en acheter du neuf, optimiser les calculs de bout en bout et mesurer ce
    que chacun consomme : c'est ainsi que nous pratiquons et transmettons un numérique
    plus sobre. Pour chacun de ses calculs, un membre dispose d'une estimation de
    l'énergie consommée et des émissions associées.

    ## Ce que vous pouvez faire sur ce portail

    - Découvrir [nos missions](/missions/), du territoire local jusqu'à l'échelle
      européenne ;
    - consulter [la page consacrée au matériel](/hardware/) et suivre notre recherche
      d'une salle informatique ;
    - lire [comment adhérer](/join/) et demander des ressources pour un projet ;
    - [créer un compte](/accounts/signup/) pour commencer.

    ## Une aventure collective

    Le projet est né de l'initiative d'un membre du fablab, spécialiste du supercalcul,
    qui a proposé de faire découvrir ce domaine aux autres adhérents en gérant ensemble
    des serveurs dédiés. Il se construit pas à pas, dans l'esprit de partage et de
    logiciel libre propre aux fablabs. Compétences, idées, curiosité : toutes les
    contributions sont les bienvenues. Et si vous connaissez une salle informatique
    disponible entre Vannes et Lorient, nous serons heureux de l'apprendre.

    Pour savoir comment nous traitons vos informations, consultez la page
    [Données personnelles](/privacy/) ainsi que les [mentions légales](/legal/).
    """
)

HOME_EN = _md(
    """
    Algoric is an association that runs a high performance computing (HPC) centre, a
    *mésocentre* as such regional centres are called in France, inside La Fabrique du
    Loch, the fablab of Auray in Morbihan, Brittany. It gives a second life to servers
    from supercomputing centres that have written them off, and makes this computing time
    available to those who need it.

    ## A computing centre on a human scale

    Large national and international supercomputers are reserved for public research.
    For an SME, an association or an individual, access to a powerful machine is often
    out of reach, for lack of budget or of specialised staff. Algoric aims to fill this
    gap at the local level.

    Our priority is not a race for raw power: it is support. We help everyone understand
    high performance computing, adapt their programs and use resources wisely.

    ## Who is Algoric for?

    - **Companies and SMEs** that want to benefit from HPC without investing in their
      own infrastructure;
    - **university laboratories** in the region, neighbours of the fablab;
    - **local authorities and public bodies**, including for emergency computing such as
      flood modelling or support for humanitarian work;
    - **schools and secondary schools**, to discover the concepts and careers of
      computing;
    - **associations and individual members** who want to learn.

    ## Computing with restraint

    Electricity is the main cost of computing. Giving hardware a second life instead of
    buying new equipment, optimising computations from end to end and measuring what each
    of them uses: this is how we practise and teach greener computing. For each of their
    jobs, members get an estimate of the energy used and of the related emissions.

    ## What you can do on this portal

    - Discover [our missions](/en/missions/), from the local area up to the European
      level;
    - see [the hardware page](/en/hardware/) and follow our search for a machine room;
    - read [how to join](/en/join/) and request resources for a project;
    - [create an account](/en/accounts/signup/) to get started.

    ## A shared adventure

    The project was started by a member of the fablab with expertise in supercomputing,
    who offered to introduce the other members to the field by running dedicated servers
    together. It is being built step by step, in the spirit of sharing and free software
    that drives fablabs. Skills, ideas, curiosity: every contribution is welcome. And if
    you know of a machine room available between Vannes and Lorient, we would be glad to
    hear about it.

    To learn how we handle your information, see the [Privacy](/en/privacy/) page and
    the [legal notice](/en/legal/).
    """
)

MISSIONS_FR = _md(
    """
    Un mésocentre est un centre de calcul de taille intermédiaire, entre le poste de
    travail et les grands calculateurs nationaux. La plupart voient le jour dans les
    universités ; d'autres sont issus d'associations, comme le CRIANN en Normandie.
    Algoric suit cette seconde voie, avec une particularité : il est porté par un fablab.

    Pour nous, les personnes comptent davantage que la puissance de la machine.

    ## Notre raison d'être

    - **Former** les utilisateurs au calcul intensif et les aider à faire évoluer leurs
      pratiques et leurs codes vers l'exécution parallèle, qui répartit un calcul sur de
      nombreux processeurs ;
    - **ouvrir nos moyens de calcul** aux laboratoires, aux universités, aux écoles, aux
      PME, aux associations et aux particuliers ;
    - **ouvrir aux PME** l'accès à des serveurs puissants pour un coût modeste, afin
      qu'elles élargissent leurs débouchés.

    ## À l'échelle locale

    - **Collectivités** : des ressources et de l'expertise, par exemple des serveurs pour
      les médiathèques.
    - **Écoles et lycées** : des interventions pour faire découvrir les notions du calcul,
      ses métiers et ses perspectives.
    - **Vie du territoire** : des conférences, des forums et des séminaires qui valorisent
      les savoir-faire locaux.

    Un centre de proximité est aussi une ressource facile d'accès, et souvent
    avantageuse sur le plan financier.

    ## À l'échelle régionale

    - **Entreprises et PME** : accompagner les entreprises membres dans leur usage du
      calcul intensif et les sensibiliser au *green computing*.
    - **Laboratoires** : les équipes des universités voisines trouvent chez nous des
      moyens de calcul, à deux pas du fablab.
    - **Attractivité de la Bretagne** : le supercalcul est un secteur stratégique, lié à
      des domaines du numérique que soutient la Région, comme la cyberdéfense. Un centre
      de calcul tout proche aide les entreprises locales à adopter ces techniques.

    ## À l'échelle nationale et européenne

    - Faire circuler les connaissances acquises et les mettre en commun ;
    - faire vivre la culture du libre, qui naît naturellement de la rencontre entre un
      centre de calcul et un fablab ;
    - prendre la parole dans des colloques et des ateliers ;
    - compter parmi les acteurs du calcul intensif en Europe.

    ## Au service de l'intérêt général

    Au-delà de ses membres, Algoric veut être utile à la collectivité :

    - apporter de la puissance de calcul aux collectivités et aux organismes publics ;
    - répondre aux situations d'urgence avec des moyens mobilisés rapidement, par
      exemple pour modéliser une crue ou soutenir une action humanitaire ; sur le
      portail, les demandes urgentes des organismes publics sont traitées en priorité ;
    - accompagner l'usage du cloud ;
    - aider au traitement des données publiques, notamment en rassemblant des données
      issues des territoires locaux.

    ## Promouvoir le green computing

    L'essentiel du coût d'un calcul tient à l'électricité qu'il consomme, et bien des
    calculs actuels dépensent plus que nécessaire. Nous aidons nos membres à les
    optimiser de bout en bout, et chacun reçoit une estimation de l'énergie et des
    émissions de CO₂e de ses calculs. Redonner vie à du matériel amorti relève de la même
    démarche.

    ## Former et transmettre

    Les spécialistes du supercalcul, et plus largement de la gestion d'une salle
    informatique, sont peu nombreux. Algoric offre aux adhérents l'occasion d'acquérir
    ces compétences sur de vraies machines, à commencer par leur administration.

    ## Science ouverte et logiciel libre

    Partager fait partie de notre identité. Nous encourageons l'usage et la publication
    de logiciels libres, ainsi qu'une gestion des données qui les rende faciles à
    trouver, à comprendre et à réutiliser (principes FAIR) : ouvertes autant que
    possible, protégées lorsque c'est nécessaire.

    ## Ancré dans un fablab

    Être porté par La Fabrique du Loch rend Algoric singulier. Le centre y gagne en
    visibilité, ses ressources profitent aussi aux autres projets du fablab, et il ouvre
    des possibilités que l'on ne trouve pas aujourd'hui dans les centres publics. C'est
    enfin une aventure humaine, ouverte à toutes celles et ceux qui veulent y prendre
    part : [découvrez comment adhérer](/join/).
    """
)

MISSIONS_EN = _md(
    """
    A *mésocentre* is a mid-sized computing centre, between the workstation and the large
    national supercomputers. Most of them are born in universities; others grow out of
    associations, such as CRIANN in Normandy. Algoric follows this second path, with one
    distinctive feature: it is run from within a fablab.

    For us, people matter more than the power of the machine.

    ## Why we exist

    - **Train** users in high performance computing and help them move their practices
      and their code towards parallel execution, which spreads a computation over many
      processors;
    - **open our computing facilities** to laboratories, universities, schools, SMEs,
      associations and individuals;
    - **give SMEs** access to powerful servers at a modest cost, so that they can widen
      their markets.

    ## At the local level

    - **Local authorities**: resources and expertise, for example servers for public
      libraries.
    - **Schools and secondary schools**: talks that introduce the concepts of computing,
      its careers and its prospects.
    - **Local life**: conferences, forums and seminars that showcase local know-how.

    A nearby centre is also an easy-to-reach resource, and often a cost-effective one.

    ## At the regional level

    - **Companies and SMEs**: support member companies in their use of HPC and raise
      their awareness of green computing.
    - **Laboratories**: teams from nearby universities find computing facilities with
      us, a stone's throw from the fablab.
    - **Appeal of Brittany**: supercomputing is a strategic sector, linked to digital
      fields supported by the Region, such as cyber defence. A computing centre close by
      helps local companies adopt these techniques.

    ## At the national and European level

    - Circulate the knowledge we gain and pool it with others;
    - keep alive the free software culture that naturally arises when a computing centre
      meets a fablab;
    - speak at conferences and workshops;
    - take our place among the players of HPC in Europe.

    ## Serving the general interest

    Beyond its members, Algoric wants to serve the community:

    - bring computing power to local authorities and public bodies;
    - respond to emergencies with resources mobilised quickly, for example to model a
      flood or support humanitarian work; on the portal, emergency requests from public
      bodies are handled first;
    - help with the use of the cloud;
    - help process public data, in particular by bringing together data from local areas.

    ## Promoting green computing

    Most of the cost of a computation lies in the electricity it uses, and many of
    today's computations spend more than they need to. We help our members optimise them
    from end to end, and everyone receives an estimate of the energy and CO₂e emissions
    of their jobs. Giving written-off hardware a second life is part of the same
    approach.

    ## Training and passing on skills

    Specialists in supercomputing, and more broadly in running a machine room, are few.
    Algoric gives members the opportunity to learn these skills on real machines,
    starting with their administration.

    ## Open science and free software

    Sharing is part of who we are. We encourage the use and publication of free software,
    and data management that makes data easy to find, understand and reuse (the FAIR
    principles): as open as possible, protected where necessary.

    ## Rooted in a fablab

    Being run from La Fabrique du Loch makes Algoric unusual. The centre gains
    visibility, its resources also benefit the fablab's other projects, and it opens up
    possibilities that public centres do not offer today. Finally, it is a human
    adventure, open to everyone who wants to take part: [find out how to
    join](/en/join/).
    """
)

HARDWARE_FR = _md(
    """
    Algoric fonctionne avec du matériel de récupération. Les centres de supercalcul
    renouvellent leurs machines ; une fois amortis, certains équipements peuvent être
    cédés plutôt que mis au rebut. L'association peut s'approvisionner auprès de ces
    centres qui souhaitent recycler leur matériel, puis le remettre en service.

    ## Pourquoi du matériel recyclé ?

    - **Prolonger la vie** d'équipements encore capables de rendre de grands services,
      plutôt que d'en fabriquer de nouveaux.
    - **Rendre le calcul accessible** à un coût modeste, pour les PME, les associations,
      les écoles et les particuliers.
    - **Apprendre par la pratique** : remettre en route, administrer et entretenir de
      vraies machines de calcul est une formation en soi pour nos adhérents.

    L'électricité restant le premier coût du calcul, nous veillons à ce que chaque
    heure de fonctionnement soit utilisée au mieux.

    ## Une salle informatique recherchée

    Ces machines ont besoin d'un toit. Il nous faut une salle informatique pour les
    installer, et nous la cherchons dans le secteur compris entre Vannes et Lorient. Si
    vous disposez d'un tel local, ou si vous avez une piste, contactez l'association par
    le portail ou à La Fabrique du Loch.

    ## Catalogue des ressources

    Les ressources que les membres peuvent demander, à l'année, sont listées ci-dessous
    avec leur capacité : heures-cœurs de calcul sur processeurs (CPU), heures de calcul
    sur cartes graphiques (GPU), stockage, bases de données et machines virtuelles.
    L'équipe de l'association les complète au fur et à mesure de la mise en service des
    machines. La marche à suivre pour en demander est décrite sur la page
    [Adhérer](/join/).
    """
)

HARDWARE_EN = _md(
    """
    Algoric runs on recycled hardware. Supercomputing centres renew their machines; once
    written off, some equipment can be handed on instead of being scrapped. The
    association can obtain hardware from centres that wish to recycle it, and then bring
    it back into service.

    ## Why recycled hardware?

    - **Extend the life** of equipment that can still do valuable work, instead of
      manufacturing new machines.
    - **Make computing affordable** for SMEs, associations, schools and individuals.
    - **Learn by doing**: restarting, administering and maintaining real computing
      machines is a training in itself for our members.

    Since electricity remains the main cost of computing, we make sure that every hour of
    operation is put to good use.

    ## Looking for a machine room

    These machines need a roof over their heads. We need a machine room to install them,
    and we are looking for one in the area between Vannes and Lorient. If you have such
    premises, or a lead, please contact the association through the portal or at La
    Fabrique du Loch.

    ## Resource catalogue

    The resources members can request, per year, are listed below with their capacity:
    CPU core-hours, GPU-hours, storage, databases and virtual machines. The association's
    staff add to the list as machines are brought into service. The steps to request
    them are described on the [Join](/en/join/) page.
    """
)

JOIN_FR = _md(
    """
    L'accès aux ressources d'Algoric passe par l'adhésion à l'association. Tout se fait
    sur ce portail, en cinq étapes.

    ## 1. Créer un compte

    [Créez votre compte](/accounts/signup/) avec votre adresse électronique. Vous recevez
    alors un message : suivez le lien qu'il contient pour confirmer votre adresse.

    ## 2. Créer votre organisation ou la rejoindre

    Les adhésions et les ressources sont attachées à des organisations. Vous pouvez
    créer la vôtre, ou être invité par une organisation déjà inscrite. Une organisation
    peut être :

    - une PME ;
    - un laboratoire ;
    - un organisme public ;
    - un établissement d'enseignement ;
    - une association ;
    - un membre individuel, pour une personne qui adhère en son nom propre.

    ## 3. Adhérer à l'association

    L'organisation règle sa cotisation annuelle. Son montant dépend du type
    d'organisation ; il est fixé par l'association.

    Le représentant de l'organisation signe ensuite la convention d'adhésion. L'équipe de
    l'association l'examine, l'approuve puis la contresigne.

    ## 4. Décrire un projet et demander des ressources

    Présentez votre projet : ce que vous souhaitez calculer, dans quel but, avec quels
    outils. Indiquez ensuite les ressources dont vous avez besoin pour l'année :

    - heures-cœurs CPU ;
    - heures GPU ;
    - stockage ;
    - bases de données ;
    - machines virtuelles.

    Une estimation réaliste facilite l'examen de la demande. Au terme de l'année, le
    bilan de votre consommation vous aidera à ajuster la suivante. Si vous ne savez pas
    comment chiffrer vos besoins, dites-le simplement dans votre description :
    accompagner les utilisateurs fait partie de nos missions.

    ## 5. Examen et attribution

    L'équipe de l'association étudie la demande et attribue une allocation de
    ressources. Vous êtes informé de la décision par le portail.

    ## Les demandes d'urgence

    Un organisme public confronté à une situation d'urgence, par exemple une crue à
    modéliser ou une opération humanitaire à appuyer, peut le signaler dans sa demande.
    Les demandes d'urgence des organismes publics sont traitées en priorité.

    ## Pour aller plus loin

    - [Nos missions](/missions/), pour comprendre ce que nous voulons construire ;
    - [le matériel](/hardware/), pour connaître les ressources disponibles ;
    - [Données personnelles](/privacy/), pour savoir ce que le portail conserve à votre
      sujet.
    """
)

JOIN_EN = _md(
    """
    Access to Algoric's resources requires membership of the association. Everything
    happens on this portal, in five steps.

    ## 1. Create an account

    [Create your account](/en/accounts/signup/) with your email address. You will then
    receive a message: follow the link it contains to confirm your address.

    ## 2. Create your organisation or join one

    Memberships and resources are attached to organisations. You can create your own, or
    be invited by an organisation that is already registered. An organisation can be:

    - an SME;
    - a laboratory;
    - a public body;
    - a school;
    - an association;
    - an individual member, for a person joining in their own name.

    ## 3. Join the association

    The organisation pays its yearly membership fee. The amount depends on the kind of
    organisation and is set by the association.

    The organisation's representative then signs the membership agreement. The
    association's staff review it, approve it and countersign it.

    ## 4. Describe a project and request resources

    Present your project: what you want to compute, for what purpose, with which tools.
    Then state the resources you need for the year:

    - CPU core-hours;
    - GPU-hours;
    - storage;
    - databases;
    - virtual machines.

    A realistic estimate makes the review easier. At the end of the year, a look at what
    you actually used will help you adjust the next request. If you are not sure how to
    estimate your needs, just say so in your description: supporting users is one of our
    missions.

    ## 5. Review and allocation

    The association's staff review the request and grant a resource allocation. You are
    informed of the decision through the portal.

    ## Emergency requests

    A public body facing an emergency, for example a flood to model or a humanitarian
    operation to support, can say so in its request. Emergency requests from public
    bodies are handled first.

    ## Further reading

    - [Our missions](/en/missions/), to understand what we want to build;
    - [the hardware](/en/hardware/), to learn about the available resources;
    - [Privacy](/en/privacy/), to find out what the portal keeps about you.
    """
)

LEGAL_FR = _md(
    """
    ## Éditeur du site

    Ce site est édité par l'association Algoric, installée au sein du fablab La Fabrique
    du Loch, à Auray (Morbihan).

    Les informations d'immatriculation de l'association et l'adresse de son siège sont
    disponibles sur demande auprès de l'association. Pour toute question, contactez-la
    par le portail.

    ## Directeur de la publication

    Le président ou la présidente de l'association Algoric.

    ## Hébergement

    Le site est hébergé sur l'infrastructure informatique propre de l'association
    Algoric.

    ## Propriété intellectuelle

    Les textes de ce site sont la propriété de l'association Algoric, sauf mention
    contraire. Leur reproduction, totale ou partielle, nécessite l'accord préalable de
    l'association ; les courtes citations sont permises à condition d'en indiquer la
    source. Les noms et logos de tiers éventuellement cités restent la propriété de leurs
    titulaires.

    ## Responsabilité

    Les informations publiées ici le sont à titre indicatif et peuvent évoluer avec le
    projet. Les liens vers des sites extérieurs sont fournis pour information :
    l'association n'est pas responsable de leur contenu.

    ## Données personnelles

    Le traitement de vos données et vos droits sont décrits sur la page
    [Données personnelles](/privacy/).
    """
)

LEGAL_EN = _md(
    """
    ## Publisher

    This site is published by the Algoric association, based at the fablab La Fabrique du
    Loch in Auray (Morbihan, France).

    The association's registration details and the address of its registered office are
    available on request from the association. For any question, contact it through the
    portal.

    ## Publication director

    The president of the Algoric association.

    ## Hosting

    The site is hosted on the Algoric association's own computing infrastructure.

    ## Intellectual property

    The texts of this site are the property of the Algoric association unless stated
    otherwise. Reproducing them, in whole or in part, requires the association's prior
    consent; short quotations are allowed provided the source is given. Third-party names
    and logos that may be mentioned remain the property of their owners.

    ## Liability

    The information published here is given for guidance and may change as the project
    evolves. Links to external sites are provided for information: the association is not
    responsible for their content.

    ## Personal data

    How your data are processed and what your rights are is described on the
    [Privacy](/en/privacy/) page.
    """
)

PRIVACY_FR = _md(
    """
    L'association Algoric attache une grande importance à la protection de vos données.
    Cette page explique, conformément au Règlement général sur la protection des
    données (RGPD), ce que le portail conserve, pourquoi, pendant combien de temps, et
    comment exercer vos droits.

    ## Responsable du traitement

    L'association Algoric, installée au fablab La Fabrique du Loch, à Auray.

    ## Les données que nous conservons

    - **Votre compte** : adresse électronique, nom, langue préférée et, si vous le
      renseignez, votre identifiant sur le calculateur.
    - **Vos organisations** : vos rattachements aux organisations, et les informations
      légales de ces organisations, ainsi que leurs adhésions et conventions.
    - **Vos projets** et les demandes de ressources associées.
    - **Les relevés de comptabilité des calculs**, importés depuis le calculateur : nom
      d'utilisateur, horaires des calculs, taille des calculs (ressources utilisées) et
      estimations d'énergie et d'émissions.
    - **Les notifications** qui vous ont été envoyées.
    - **Les journaux de sécurité**, qui comprennent des adresses IP, utilisés pour
      limiter les tentatives abusives et pour l'audit.

    ## Finalités et bases légales

    Dans le tableau ci-dessous, « contrat » désigne l'exécution des engagements qui
    vous lient à l'association : conditions d'utilisation du portail, adhésion et
    convention.

    | Finalité | Base légale |
    |---|---|
    | Gérer votre compte et vos rattachements aux organisations | Contrat |
    | Gérer les adhésions, les projets et les allocations de ressources | Contrat |
    | Comptabiliser les calculs, en estimer l'énergie et les émissions | Contrat, intérêt légitime |
    | Vous envoyer les notifications liées au service | Contrat |
    | Protéger le portail (limitation des tentatives, audit) | Intérêt légitime |
    | Tenir la comptabilité de l'association (cotisations, conventions) | Obligation légale |

    ## Durées de conservation

    - **Données du compte** : tant que votre compte existe.
    - **Comptabilité et conventions** : pendant la durée requise par la loi pour les
      comptes de l'association.
    - **Journaux de sécurité** : 12 mois.

    ## Destinataires

    Seule l'équipe de l'association a accès à vos données. Nous ne les vendons pas, ne
    les utilisons pas à des fins publicitaires et ne pratiquons aucun pistage.

    ## Cookies

    Le portail n'utilise que trois cookies, tous nécessaires à son fonctionnement :

    - un cookie de session, qui vous garde connecté ;
    - un cookie CSRF, qui protège les formulaires contre les requêtes frauduleuses ;
    - un cookie de langue, qui mémorise votre choix entre le français et l'anglais.

    Aucun cookie publicitaire ni de mesure d'audience n'est déposé.

    ## Vos droits

    Vous disposez d'un droit d'accès, de rectification, d'effacement, d'opposition et de
    portabilité sur vos données, ainsi que du droit d'en demander la limitation.

    Pour les exercer, utilisez [votre profil](/account/profile/) sur le portail, ou
    écrivez à l'association. Si vous estimez que vos droits ne sont pas respectés, vous
    pouvez adresser une réclamation à la CNIL (Commission nationale de l'informatique et
    des libertés, [www.cnil.fr](https://www.cnil.fr)).

    Voir aussi les [mentions légales](/legal/).
    """
)

PRIVACY_EN = _md(
    """
    The Algoric association takes the protection of your data seriously. In line with
    the General Data Protection Regulation (GDPR), this page explains what the portal
    keeps, why, for how long, and how to exercise your rights.

    ## Data controller

    The Algoric association, based at the fablab La Fabrique du Loch in Auray.

    ## The data we keep

    - **Your account**: email address, name, preferred language and, if you provide it,
      your login on the cluster.
    - **Your organisations**: your memberships of organisations, and the legal details of
      those organisations, together with their memberships of the association and their
      agreements.
    - **Your projects** and the related resource requests.
    - **Job accounting records**, imported from the cluster: user name, job times, job
      sizes (resources used) and energy and emission estimates.
    - **The notifications** sent to you.
    - **Security logs**, which include IP addresses, used for rate limiting and for
      audit.

    ## Purposes and legal bases

    In the table below, "contract" means the performance of the commitments between you
    and the association: the portal's terms of use, membership and the membership
    agreement.

    | Purpose | Legal basis |
    |---|---|
    | Manage your account and your organisation memberships | Contract |
    | Manage memberships, projects and resource allocations | Contract |
    | Account for jobs and estimate their energy and emissions | Contract, legitimate interest |
    | Send you notifications about the service | Contract |
    | Protect the portal (rate limiting, audit) | Legitimate interest |
    | Keep the association's accounts (fees, agreements) | Legal obligation |

    ## Retention

    - **Account data**: as long as your account exists.
    - **Accounting records and agreements**: for the period required by law for the
      association's accounts.
    - **Security logs**: 12 months.

    ## Recipients

    Only the association's staff have access to your data. We do not sell them, we do not
    use them for advertising and we do not track you.

    ## Cookies

    The portal uses only three cookies, all needed for it to work:

    - a session cookie, which keeps you signed in;
    - a CSRF cookie, which protects forms against forged requests;
    - a language cookie, which remembers your choice between French and English.

    No advertising or audience measurement cookie is set.

    ## Your rights

    You have the right to access, rectify and erase your data, to object to their
    processing and to data portability, as well as the right to ask for processing to be
    restricted.

    To exercise them, use [your profile](/en/account/profile/) on the portal, or write to
    the association. If you believe your rights are not respected, you can lodge a
    complaint with the CNIL, the French data protection authority
    ([www.cnil.fr](https://www.cnil.fr)).

    See also the [legal notice](/en/legal/).
    """
)

PAGES = [
    {
        "slug": "home",
        "menu_order": 0,
        "title_fr": "Algoric, un mésocentre de calcul en Morbihan",
        "title_en": "Algoric, a computing centre in Morbihan, Brittany",
        "body_fr": HOME_FR,
        "body_en": HOME_EN,
    },
    {
        "slug": "missions",
        "menu_order": 1,
        "title_fr": "Nos missions",
        "title_en": "Our missions",
        "body_fr": MISSIONS_FR,
        "body_en": MISSIONS_EN,
    },
    {
        "slug": "hardware",
        "menu_order": 2,
        "title_fr": "Le matériel",
        "title_en": "Hardware",
        "body_fr": HARDWARE_FR,
        "body_en": HARDWARE_EN,
    },
    {
        "slug": "join",
        "menu_order": 3,
        "title_fr": "Adhérer",
        "title_en": "Join",
        "body_fr": JOIN_FR,
        "body_en": JOIN_EN,
    },
    {
        "slug": "legal",
        "menu_order": 0,
        "title_fr": "Mentions légales",
        "title_en": "Legal notice",
        "body_fr": LEGAL_FR,
        "body_en": LEGAL_EN,
    },
    {
        "slug": "privacy",
        "menu_order": 0,
        "title_fr": "Données personnelles",
        "title_en": "Privacy",
        "body_fr": PRIVACY_FR,
        "body_en": PRIVACY_EN,
    },
]

SLUGS = [page["slug"] for page in PAGES]


def create_pages(apps, schema_editor):
    """Create each page whose slug is missing; existing pages are left untouched."""
    Page = apps.get_model("pages", "Page")
    db_alias = schema_editor.connection.alias
    existing = set(
        Page.objects.using(db_alias).filter(slug__in=SLUGS).values_list("slug", flat=True)
    )
    for page in PAGES:
        if page["slug"] not in existing:
            Page.objects.using(db_alias).create(version=1, **page)


def delete_pages(apps, schema_editor):
    """Delete the six pages created by :func:`create_pages`."""
    Page = apps.get_model("pages", "Page")
    Page.objects.using(schema_editor.connection.alias).filter(slug__in=SLUGS).delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(create_pages, delete_pages)]
