/*
 * The benchmark's data (benchseed.h). Every item draws its content from its
 * own generator, seeded by the item's kind and id, so the same sizes give
 * the same rows at every run, and an item can be drawn again (the activity
 * log needs the titles) without being stored. A first pass plans what ties
 * the items together (territory, author, the needs an initiative answers,
 * how many ideas answer each need); then each table is written in one pass,
 * oldest first, through multi-row INSERTs prepared once and committed every
 * COMMIT_ROWS rows; the activity log last, merged by date.
 */
#include "domain/benchseed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "db/db.h"
#include "domain/search.h"
#include "core/banned.h"

#define DAY 86400
#define YEAR (365 * (int64_t)DAY)
#define SPAN (3 * YEAR) /* needs and initiatives are spread over three years */
#define SEED 0x7472656d706c696eULL /* "tremplin" */
#define ROWS_PER_INSERT 64
#define COMMIT_ROWS 50000
#define TERRITORIES_MAX 1000
#define ITEMS_MAX 20000000u
#define THEMES 10
#define PARTNER_EVERY 5 /* one organisation in five is a partner */
#define ORGS_PER_PEOPLE 50
#define SHOWCASE_EVERY 1000 /* every 1000th initiative has exactly SHOWCASE_COMMENTS */
#define SHOWCASE_COMMENTS 50
#define SEED_COMMENT_DEPTH 3 /* replies to replies of replies, no deeper */

/* The independent streams of the generator: one per kind of draw. */
enum stream {
	S_USER = 1,
	S_ORG,
	S_NEED_PLAN,
	S_NEED_TEXT,
	S_INIT_PLAN,
	S_INIT_TEXT,
	S_PLACE,
	S_COMMENT,
	S_OFFER,
	S_PROJECT_NEED,
};

struct rng {
	uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static struct rng rng_for(enum stream k, uint64_t id)
{
	struct rng r = { SEED ^ ((uint64_t)k << 56) ^ (id * 0xd1342543de82ef95ULL) };
	rng_next(&r);
	return r;
}

/* 0..n-1 */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * n) >> 32);
}

/* [0, 1) */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int rng_chance(struct rng *r, unsigned percent)
{
	return rng_below(r, 100) < percent;
}

/* An index of w[0..n) drawn with probability proportional to its weight. */
static size_t rng_weighted(struct rng *r, const unsigned *w, size_t n)
{
	unsigned total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	unsigned x = rng_below(r, total);
	size_t i = 0;
	while (x >= w[i])
		x -= w[i++];
	return i;
}

#define PICK(r, list) ((list)[rng_below((r), ARRAY_SIZE(list))])

/* ---- Vocabulary ---- */

static const struct {
	const char *slug;
	const char *name;
	unsigned weight;
} themes[THEMES] = {
	{ "solidarite", "Solidarité", 20 },
	{ "environnement", "Environnement", 16 },
	{ "economie-locale", "Économie locale", 13 },
	{ "culture", "Culture", 11 },
	{ "mobilite", "Mobilité", 10 },
	{ "numerique", "Numérique", 9 },
	{ "education", "Éducation et jeunesse", 8 },
	{ "sante", "Santé et bien-vieillir", 6 },
	{ "sport", "Sport et loisirs", 4 },
	{ "habitat", "Habitat et cadre de vie", 3 },
};

static const char *const stages[] = {
	"idea", "improving", "project", "supported", "realised", "archived", "merged",
};
static const unsigned stage_weights[] = { 35, 20, 15, 10, 12, 6, 2 };
enum { STAGE_PROJECT = 2, STAGE_REALISED = 4 };
static const char *const outcomes[] = { "enterprise", "event", "service" };

static const char *const towns[] = {
	"Beaulieu-sur-Bièvre", "Saint-Aubin-des-Bois", "Montfleury", "Rochebrune",
	"Val-d’Argent", "Clairefontaine-sur-Oise", "Pontvallon", "Belmont-la-Forêt",
	"Sainte-Colombe-du-Lac", "Roquevive", "Champagnac", "Villefranche-des-Vignes",
	"Port-Alban", "Mireval-sur-Loire", "Haute-Rive", "Saint-Genest-le-Vieux",
	"Brionne-la-Rivière", "Lagarde-sur-Mer", "Fontclaire", "Maubourg",
};

static const char *const hoods[] = {
	"Centre-ville", "Bellevue", "Montplaisir", "Saint-Jean", "Beauregard", "Grand-Pré",
	"Champfleury", "Val-Fleuri", "Bel-Air", "Saint-Michel", "Pasteur", "Jean-Jaurès",
	"Gambetta", "Moulin-Vert", "Clos-Fleuri", "Les Coteaux", "La Gare", "Les Prés",
	"Le Vieux Bourg", "La Roseraie", "Les Tilleuls", "Port-Royal", "Le Plateau", "Les Vignes",
};

static const char *const first_names[] = {
	"Claire", "Karim", "Sophie", "Mathieu", "Nadia", "Jean-Pierre", "Amina", "Lucas",
	"Inès", "Thomas", "Fatou", "Julien", "Camille", "Yanis", "Élodie", "Hugo",
	"Chloé", "Mehdi", "Léa", "Antoine", "Manon", "Samir", "Sarah", "Nicolas",
	"Aïcha", "Pierre", "Laura", "Rachid", "Emma", "Vincent", "Zoé", "Olivier",
	"Mariam", "François", "Jeanne", "Moussa", "Louise", "Stéphane", "Anaïs", "Bruno",
	"Hélène", "Kévin", "Nathalie", "Ibrahim", "Margaux", "Christophe", "Yasmine", "Paul",
	"Sylvie", "Arthur", "Agnès", "Théo", "Leïla", "Romain", "Isabelle", "Adam",
	"Martine", "Gabriel", "Océane", "Alain", "Jade", "Éric", "Lina", "Bernard",
};

static const char *const occupations[] = {
	"Graphiste indépendante", "Ingénieur à la retraite", "Maman de trois enfants",
	"Étudiant en économie sociale et solidaire", "Infirmière de nuit", "Ancien libraire",
	"Développeuse web", "Lycéen, élu au conseil des jeunes", "Boulanger",
	"Professeure des écoles", "Aide à domicile", "Architecte", "Chauffeur de bus",
	"Jardinière amateur", "Comptable", "Musicien", "Cheffe de projet", "Retraitée active",
};

static const char *const actions[] = {
	"Créer", "Ouvrir", "Lancer", "Organiser", "Installer", "Développer", "Monter",
	"Aménager", "Mettre en place", "Animer", "Relancer", "Imaginer", "Fonder", "Équiper",
};

static const char *const objects[] = {
	"un jardin partagé", "un repair café", "une ressourcerie", "une épicerie solidaire",
	"un atelier vélo", "une boîte à livres", "un tiers-lieu", "une cantine de quartier",
	"un marché de producteurs", "une grainothèque", "un compost collectif",
	"une recyclerie", "un café des aidants", "une bibliothèque d’objets",
	"un espace de coworking", "une fresque participative", "un pédibus",
	"un covoiturage solidaire", "une fête des voisins", "un atelier numérique",
	"une navette électrique", "un potager pédagogique", "une ludothèque",
	"un festival de quartier", "une friperie", "une conciergerie solidaire", "un fablab",
	"une micro-crèche", "une halte-répit", "une chorale", "un ciné-club",
	"une AMAP", "un soutien scolaire", "une cuisine partagée", "une maison des associations",
	"un parcours sportif", "une radio locale", "un atelier couture", "un club de lecture",
	"un point d’accès au droit",
};

static const char *const complements[] = {
	"pour les seniors", "pour les jeunes", "pour les familles", "entre voisins",
	"pour tous", "avec les écoles", "pour les étudiants", "zéro déchet",
	"ouvert le soir", "pour les aidants", "en circuit court", "avec les commerçants",
	"pour les nouveaux arrivants", "pour les personnes isolées", "le dimanche",
	"avec le centre social",
};

static const char *const publics[] = {
	"Les seniors", "Les jeunes", "Les familles", "Les étudiants", "Les commerçants",
	"Les associations", "Les parents", "Les cyclistes", "Les personnes handicapées",
	"Les nouveaux habitants", "Les aidants", "Les demandeurs d’emploi",
};

static const char *const lacks[] = {
	"d’un lieu pour se retrouver", "de pistes cyclables sûres",
	"d’aide pour les démarches en ligne", "de places en crèche", "de bancs et d’ombre",
	"d’un local pour ranger du matériel", "de cours de français", "de jardins à cultiver",
	"d’un accès à internet", "de transports le soir", "de solutions de garde",
	"d’activités le week-end", "de conseils pour rénover leur logement",
	"d’un coup de main pour les courses", "d’un lieu pour réparer leurs objets",
	"de rencontres avec les entreprises du coin",
};

static const char *const shortages[] = {
	"Pas assez d’arbres dans les rues", "Trop peu de stationnements vélo",
	"Pas de toilettes publiques", "Aucun lieu culturel ouvert le soir",
	"Trop peu de médecins", "Les commerces de proximité ferment",
	"Les trottoirs sont encombrés", "Le marché ferme trop tôt",
	"Trop de déchets jetés dans le parc", "Pas de salle pour les associations",
	"Les cours d’école sont trop minérales", "Les abribus manquent",
};

static const char *const goals[] = {
	"rompre l’isolement des aînés", "réduire les déchets", "rapprocher les générations",
	"faire vivre le commerce local", "rendre le quartier plus vert",
	"faciliter les déplacements à vélo", "donner accès au numérique",
	"soutenir les familles", "créer des emplois locaux", "partager les savoir-faire",
	"accueillir les nouveaux habitants", "manger mieux et moins cher",
};

/* %T is the town, %Q a neighbourhood, %P a public ("les seniors"), %G a goal. */
static const char *const finding_sentences[] = {
	"Dans le quartier %Q, beaucoup d’habitants nous disent la même chose.",
	"%P de %T le répètent à chaque conseil de quartier.",
	"Nous avons fait un petit sondage auprès de soixante voisins : le besoin est réel.",
	"Le centre social constate la même chose depuis deux ans.",
	"Rien de tel n’existe aujourd’hui à moins de vingt minutes à pied.",
	"Les associations du quartier %Q manquent de moyens pour y répondre seules.",
	"La demande a augmenté depuis la fermeture du dernier lieu qui s’en occupait.",
	"Plusieurs commerçants de %T sont prêts à s’impliquer.",
	"L’école voisine cherche aussi une solution pour ses élèves.",
	"On en parle souvent sur le marché du samedi.",
};

static const char *const proposal_sentences[] = {
	"Nous proposons de commencer petit, avec un essai de trois mois, pour %G.",
	"Un groupe de bénévoles est déjà prêt à tenir une permanence chaque semaine.",
	"L’idée est de s’appuyer sur ce qui existe déjà à %T plutôt que de tout recréer.",
	"Chacun pourra venir avec ses compétences : bricolage, cuisine, informatique, écoute.",
	"Le lieu serait ouvert à tous, sans inscription, et accessible en fauteuil.",
	"Nous voudrions associer %P dès la conception, pour que le projet leur ressemble.",
	"Un bilan public sera fait au bout d’un an, avec les chiffres et les témoignages.",
	"Si l’essai marche, le modèle pourra être essaimé dans d’autres quartiers.",
	"Le projet vise aussi à %G, en lien avec les partenaires du territoire.",
	"Une réunion de lancement aura lieu dans le quartier %Q.",
};

static const char *const wants[] = {
	"un local d’une trentaine de mètres carrés", "des bénévoles le samedi matin",
	"un coup de pouce financier pour le matériel", "un accompagnement pour monter la structure",
	"une formation à la gestion associative", "des conseils juridiques",
	"un relais auprès de la mairie", "une campagne de financement participatif",
	"des outils et un atelier", "une assurance pour les activités",
};

static const char *const need_sentences[] = {
	"C’est un problème que l’on rencontre tous les jours dans le quartier %Q.",
	"%P sont les premiers concernés, mais pas les seuls.",
	"J’en ai parlé autour de moi : nous sommes nombreux à attendre une solution.",
	"La situation s’est dégradée ces dernières années à %T.",
	"Il faudrait trouver une idée simple, qui ne coûte pas trop cher.",
	"Si quelqu’un a déjà vu une solution ailleurs, je suis preneur.",
	"Les horaires actuels ne conviennent pas à ceux qui travaillent.",
	"Ce serait l’occasion de %G.",
};

/* An organisation: how its name starts, the ASCII stem of its slug, its kind, partner or not. */
static const struct {
	const char *name;
	const char *stem;
	const char *kind;
} org_kinds[] = {
	{ "Les Amis du quartier", "amis-du-quartier", "association" },
	{ "Collectif Zéro Déchet", "zero-dechet", "association" },
	{ "Vélo en Ville", "velo-en-ville", "association" },
	{ "Jardins Partagés", "jardins-partages", "association" },
	{ "Repair Café", "repair-cafe", "association" },
	{ "Club Numérique", "club-numerique", "association" },
	{ "Solidarité Seniors", "solidarite-seniors", "association" },
	{ "Parents Solidaires", "parents-solidaires", "association" },
	{ "Théâtre en Herbe", "theatre-en-herbe", "association" },
	{ "Coopérative La Fourmilière", "cooperative-fourmiliere", "social_enterprise" },
	{ "Recyclerie", "recyclerie", "social_enterprise" },
	{ "Régie de quartier", "regie-de-quartier", "social_enterprise" },
	{ "Atelier d’insertion", "atelier-insertion", "social_enterprise" },
	{ "Imprimerie Nouvelle", "imprimerie-nouvelle", "company" },
	{ "Menuiserie du Bourg", "menuiserie-du-bourg", "company" },
	{ "Médiathèque", "mediatheque", "public_body" },
	{ "Centre social", "centre-social", "public_body" },
};

static const struct {
	const char *name;
	const char *stem;
} partner_kinds[] = {
	{ "France Active", "france-active" },
	{ "Initiative", "initiative" },
	{ "BGE", "bge" },
	{ "Réseau Entreprendre", "reseau-entreprendre" },
	{ "Fondation Solidaire", "fondation-solidaire" },
	{ "Incubateur ESS", "incubateur-ess" },
	{ "Financement participatif", "financement-participatif" },
	{ "Pépinière d’entreprises", "pepiniere" },
	{ "Chambre des métiers", "chambre-des-metiers" },
};

/* ---- Text ---- */

/* Append template t with %T %Q %P %G replaced (the public in lower case after its first letter). */
static void compose(struct buf *b, struct rng *r, const char *t, const char *town)
{
	for (; *t; t++) {
		if (*t != '%' || !t[1]) {
			buf_addch(b, *t);
			continue;
		}
		char c = *++t;
		if (c == 'T') {
			buf_adds(b, town);
		} else if (c == 'Q') {
			buf_adds(b, PICK(r, hoods));
		} else if (c == 'G') {
			buf_adds(b, PICK(r, goals));
		} else if (c == 'P') {
			const char *p = PICK(r, publics);
			size_t at = b->len;
			int starts = at == 0 || b->ptr[at - 1] == '\n' ||
				     (at >= 2 && b->ptr[at - 2] == '.' && b->ptr[at - 1] == ' ');
			buf_adds(b, p);
			if (!starts)
				b->ptr[at] = 'l'; /* "Les" inside a sentence */
		} else {
			buf_addch(b, '%');
			buf_addch(b, c);
		}
	}
}

/* count different sentences of list[0..n) (n <= 64), in a random order. */
static void sentences(struct buf *b, struct rng *r, const char *const *list, size_t n,
		      unsigned count, const char *town)
{
	uint64_t used = 0;
	for (unsigned i = 0; i < count && i < n; i++) {
		uint32_t k;
		do
			k = rng_below(r, (uint32_t)n);
		while (used & (uint64_t)1 << k);
		used |= (uint64_t)1 << k;
		if (i)
			buf_addch(b, ' ');
		compose(b, r, list[k], town);
	}
}

/*
 * Each draw is its own statement: the order in which a call's arguments
 * are evaluated is unspecified, and the data must not depend on the compiler.
 */
static void initiative_title(struct buf *b, struct rng *r, const char *hood)
{
	const char *action = PICK(r, actions);
	buf_addf(b, "%s %s", action, PICK(r, objects));
	if (rng_chance(r, 60))
		buf_addf(b, " %s", PICK(r, complements));
	if (hood && rng_chance(r, 25))
		buf_addf(b, " – %s", hood);
}

static void initiative_texts(struct buf *summary, struct buf *body, struct rng *r,
			     const char *town)
{
	buf_addf(summary, "Un projet pour %s, porté par des habitants de %s.", PICK(r, goals), town);
	if (rng_chance(r, 50))
		buf_adds(summary, " Toutes les bonnes volontés sont les bienvenues.");
	buf_adds(body, "## Le constat\n\n");
	sentences(body, r, finding_sentences, ARRAY_SIZE(finding_sentences), 2 + rng_below(r, 2), town);
	buf_adds(body, "\n\n## Ce que nous proposons\n\n");
	sentences(body, r, proposal_sentences, ARRAY_SIZE(proposal_sentences), 2 + rng_below(r, 3), town);
	if (rng_chance(r, 60)) {
		buf_adds(body, "\n\n## Ce qu’il nous faut\n\n");
		for (unsigned i = 0, n = 2 + rng_below(r, 3); i < n; i++)
			buf_addf(body, "- %s\n", PICK(r, wants));
	}
}

static void need_title(struct buf *b, struct rng *r, const char *hood)
{
	if (rng_chance(r, 60)) {
		const char *who = PICK(r, publics);
		const char *verb = rng_chance(r, 50) ? "manquent" : "ont besoin";
		buf_addf(b, "%s %s %s", who, verb, PICK(r, lacks));
	} else {
		buf_adds(b, PICK(r, shortages));
	}
	if (hood && rng_chance(r, 30))
		buf_addf(b, " – %s", hood);
}

/* Append s as a JSON string. */
static void add_json_string(struct buf *b, const char *s)
{
	buf_addch(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			buf_addf(b, "\\%c", c);
		else if (c < 0x20)
			buf_addf(b, "\\u%04x", c);
		else
			buf_addch(b, (char)c);
	}
	buf_addch(b, '"');
}

/* ---- Multi-row inserts ---- */

struct seeder;

/*
 * One table's INSERT: values are bound as they are produced, into a
 * statement of ROWS_PER_INSERT rows, or of one row for the last few, so
 * that nothing is copied and every statement is prepared once.
 */
struct inserter {
	struct seeder *s;
	char *sql_many, *sql_one;
	int ncols;
	uint64_t left; /* rows still to come */
	struct db_stmt *st; /* NULL between statements */
	int rows; /* rows of st */
	int row, col; /* where the next value goes */
	int failed;
};

struct place {
	char *town;
	int64_t first_hood;
	unsigned n_hoods;
	int64_t first_org;
	unsigned n_orgs;
	double lat, lng;
	uint32_t *users, *needs, *partners; /* ids, ascending; partners: accredited ones */
	size_t n_users, n_needs, n_partners, alloc_users, alloc_needs, alloc_partners;
};

struct seeder {
	struct db *db;
	struct bench_sizes sz;
	unsigned n_needs, n_orgs;
	int64_t start, end; /* of the three years of needs and initiatives */
	struct place *places;
	double *territory_cum; /* cumulated share of the items, per territory */
	uint16_t *user_place, *org_place, *need_place, *init_place;
	uint32_t *need_author, *init_author, *idea_count, *init_comments;
	uint8_t *init_stage;
	uint32_t *link_init, *link_need; /* initiative_needs, by initiative */
	size_t n_links, alloc_init, alloc_need;
	uint64_t since_commit;
	struct buf t1, t2, t3; /* scratch text */
};

static void ins_init(struct inserter *in, struct seeder *s, const char *table_cols, int ncols,
		     uint64_t total)
{
	memset(in, 0, sizeof(*in));
	in->s = s;
	in->ncols = ncols;
	in->left = total;
	struct buf row = BUF_INIT, sql = BUF_INIT;
	buf_addch(&row, '(');
	for (int i = 0; i < ncols; i++)
		buf_adds(&row, i ? ", ?" : "?");
	buf_addch(&row, ')');
	buf_addf(&sql, "INSERT INTO %s VALUES %s", table_cols, row.ptr);
	in->sql_one = xstrdup(sql.ptr);
	for (int i = 1; i < ROWS_PER_INSERT; i++)
		buf_addf(&sql, ", %s", row.ptr);
	in->sql_many = buf_detach(&sql, NULL);
	buf_release(&row);
}

static int seeder_maybe_commit(struct seeder *s)
{
	if (s->since_commit < COMMIT_ROWS)
		return 0;
	s->since_commit = 0;
	return db_commit(s->db) || db_begin(s->db) ? -1 : 0;
}

/* The statement and parameter index of the next value. */
static struct db_stmt *ins_slot(struct inserter *in, int *idx)
{
	if (!in->st && !in->failed) {
		in->rows = in->left >= ROWS_PER_INSERT ? ROWS_PER_INSERT : 1;
		in->st = db_prepare(in->s->db, in->rows > 1 ? in->sql_many : in->sql_one);
		in->failed = !in->st;
	}
	*idx = in->row * in->ncols + in->col + 1;
	in->col++;
	return in->failed ? NULL : in->st;
}

static void ins_int(struct inserter *in, int64_t v)
{
	int idx;
	struct db_stmt *st = ins_slot(in, &idx);
	if (st && db_bind_int(st, idx, v))
		in->failed = 1;
}

/* 0 binds SQL NULL: ids start at 1. */
static void ins_id(struct inserter *in, int64_t id)
{
	int idx;
	struct db_stmt *st = ins_slot(in, &idx);
	if (st && (id ? db_bind_int(st, idx, id) : db_bind_null(st, idx)))
		in->failed = 1;
}

static void ins_text(struct inserter *in, const char *text)
{
	int idx;
	struct db_stmt *st = ins_slot(in, &idx);
	if (st && db_bind_text(st, idx, text))
		in->failed = 1;
}

static int ins_end_row(struct inserter *in)
{
	if (in->failed)
		return -1;
	if (in->col != in->ncols || !in->left)
		BUG("bench-seed: a row of the wrong shape");
	in->col = 0;
	in->left--;
	in->s->since_commit++;
	if (++in->row < in->rows)
		return 0;
	int rc = db_step(in->st);
	db_reset(in->st);
	in->st = NULL;
	in->row = 0;
	if (rc < 0) {
		in->failed = 1;
		return -1;
	}
	return seeder_maybe_commit(in->s);
}

static int ins_finish(struct inserter *in)
{
	int rc = in->failed || in->left ? -1 : 0;
	if (in->st)
		db_reset(in->st);
	free(in->sql_many);
	free(in->sql_one);
	return rc;
}

/* ---- The plan ---- */

static int64_t isqrt(uint64_t x)
{
	uint64_t r = 0, bit = (uint64_t)1 << 62;
	while (bit > x)
		bit >>= 2;
	for (; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return (int64_t)r;
}

/* Item i (1..n) of a list that grows with the platform: more of them each month. */
static int64_t item_time(const struct seeder *s, uint64_t i, uint64_t n)
{
	double f = ((double)i - 0.5) / (double)n;
	return s->start + isqrt((uint64_t)(f * (double)SPAN * (double)SPAN));
}

/* People join from a year before the first item to the last day. */
static int64_t user_time(const struct seeder *s, uint64_t i)
{
	return s->start - YEAR + (int64_t)(((double)i - 0.5) * (double)(SPAN + YEAR) /
					   (double)s->sz.people);
}

static int64_t org_time(const struct seeder *s, uint64_t i)
{
	return s->start - 60 * DAY + (int64_t)(((double)i - 0.5) * (double)(SPAN / 2) /
					       (double)s->n_orgs);
}

/* Half of everything happens in the first territory, the rest in the others by 1/rank. */
static void plan_territories(struct seeder *s)
{
	unsigned n = s->sz.territories;
	s->territory_cum = xcalloc(n, sizeof(double));
	double others = 0, acc = 0;
	for (unsigned k = 2; k <= n; k++)
		others += 1.0 / k;
	for (unsigned k = 1; k <= n; k++) {
		acc += n == 1 ? 1 : k == 1 ? 0.5 : 0.5 / k / others;
		s->territory_cum[k - 1] = acc;
	}
	s->territory_cum[n - 1] = 1.0;
}

static uint16_t pick_territory(const struct seeder *s, struct rng *r)
{
	double u = rng_unit(r);
	unsigned i = 0;
	while (i + 1 < s->sz.territories && u >= s->territory_cum[i])
		i++;
	return (uint16_t)i;
}

static void push_id(uint32_t **ids, size_t *n, size_t *alloc, uint32_t id)
{
	*ids = xgrow(*ids, sizeof(**ids), *n + 1, alloc);
	(*ids)[(*n)++] = id;
}

static void plan_places(struct seeder *s)
{
	unsigned n = s->sz.territories;
	s->places = xcalloc(n, sizeof(*s->places));
	int64_t hood = 1, org = 1;
	for (unsigned t = 0; t < n; t++) {
		struct place *p = &s->places[t];
		struct rng r = rng_for(S_PLACE, t + 1);
		struct buf name = BUF_INIT;
		buf_adds(&name, towns[t % ARRAY_SIZE(towns)]);
		if (t >= ARRAY_SIZE(towns))
			buf_addf(&name, " %u", t / (unsigned)ARRAY_SIZE(towns) + 1);
		p->town = buf_detach(&name, NULL);
		p->n_hoods = 8 + rng_below(&r, 9);
		p->first_hood = hood;
		hood += p->n_hoods;
		double share = s->territory_cum[t] - (t ? s->territory_cum[t - 1] : 0);
		p->n_orgs = 10 + (unsigned)(share * s->sz.people / ORGS_PER_PEOPLE);
		p->first_org = org;
		org += p->n_orgs;
		p->lat = 43.5 + rng_unit(&r) * 6;
		p->lng = -1 + rng_unit(&r) * 7;
	}
	s->n_orgs = (unsigned)(org - 1);
	s->org_place = xcalloc(s->n_orgs + 1, sizeof(uint16_t));
	for (unsigned t = 0; t < n; t++)
		for (unsigned k = 0; k < s->places[t].n_orgs; k++)
			s->org_place[s->places[t].first_org + k] = (uint16_t)t;
}

static const char *place_hood(const struct place *p, unsigned k)
{
	return hoods[(p->first_hood + k) % ARRAY_SIZE(hoods)];
}

static void plan_people(struct seeder *s)
{
	s->user_place = xcalloc(s->sz.people + 1, sizeof(uint16_t));
	for (uint32_t id = 1; id <= s->sz.people; id++) {
		struct rng r = rng_for(S_USER, id);
		uint16_t t = pick_territory(s, &r);
		struct place *p = &s->places[t];
		s->user_place[id] = t;
		push_id(&p->users, &p->n_users, &p->alloc_users, id);
	}
}

/* Index in ids[0..n) of the first id above max. */
static size_t upper_bound(const uint32_t *ids, size_t n, uint64_t max)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (ids[mid] <= max)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A person of the territory who had joined at `at`; the early members post most. 0: none. */
static uint32_t pick_author(const struct seeder *s, struct rng *r, const struct place *p,
			    int64_t at)
{
	if (!p->n_users)
		return 0;
	double joined = (double)(at - (s->start - YEAR)) * s->sz.people / (double)(SPAN + YEAR) + 0.5;
	size_t k = upper_bound(p->users, p->n_users, joined < 1 ? 1 : (uint64_t)joined);
	if (!k)
		k = 1;
	double u = rng_unit(r);
	return p->users[(size_t)(k * u * u)];
}

static void plan_needs(struct seeder *s)
{
	s->need_place = xcalloc(s->n_needs + 1, sizeof(uint16_t));
	s->need_author = xcalloc(s->n_needs + 1, sizeof(uint32_t));
	s->idea_count = xcalloc(s->n_needs + 1, sizeof(uint32_t));
	for (uint32_t id = 1; id <= s->n_needs; id++) {
		struct rng r = rng_for(S_NEED_PLAN, id);
		uint16_t t = pick_territory(s, &r);
		struct place *p = &s->places[t];
		s->need_place[id] = t;
		s->need_author[id] = pick_author(s, &r, p, item_time(s, id, s->n_needs));
		push_id(&p->needs, &p->n_needs, &p->alloc_needs, id);
	}
}

/* Needs of the place created before `at` (a prefix of p->needs). */
static size_t needs_before(const struct seeder *s, const struct place *p, int64_t at)
{
	double f = (double)(at - s->start) / (double)SPAN;
	size_t k = upper_bound(p->needs, p->n_needs, (uint64_t)(f * f * s->n_needs + 1));
	while (k && item_time(s, p->needs[k - 1], s->n_needs) > at)
		k--;
	return k;
}

/* About half the ideas answer a need of their territory, most often a recent one. */
static void plan_links(struct seeder *s, struct rng *r, uint32_t id, const struct place *p,
		       int64_t at)
{
	size_t k = needs_before(s, p, at);
	unsigned u = rng_below(r, 100), n = u < 45 ? 1 : u < 55 ? 2 : 0;
	uint32_t first = 0;
	for (unsigned i = 0; i < n && k; i++) {
		double x = rng_unit(r);
		uint32_t need = p->needs[k - 1 - (size_t)(k * x * x * x)];
		if (need == first)
			continue;
		first = need;
		s->link_init = xgrow(s->link_init, sizeof(uint32_t), s->n_links + 1, &s->alloc_init);
		s->link_need = xgrow(s->link_need, sizeof(uint32_t), s->n_links + 1, &s->alloc_need);
		s->link_init[s->n_links] = id;
		s->link_need[s->n_links++] = need;
		s->idea_count[need]++;
	}
}

static void plan_initiatives(struct seeder *s)
{
	unsigned n = s->sz.initiatives;
	s->init_place = xcalloc(n + 1, sizeof(uint16_t));
	s->init_author = xcalloc(n + 1, sizeof(uint32_t));
	s->init_stage = xcalloc(n + 1, 1);
	for (uint32_t id = 1; id <= n; id++) {
		struct rng r = rng_for(S_INIT_PLAN, id);
		uint16_t t = pick_territory(s, &r);
		const struct place *p = &s->places[t];
		int64_t at = item_time(s, id, n);
		s->init_place[id] = t;
		s->init_author[id] = pick_author(s, &r, p, at);
		/* What was posted last month has not gone far along the journey yet. */
		size_t stage = rng_weighted(&r, stage_weights, ARRAY_SIZE(stage_weights));
		if (s->end - at < 30 * DAY && stage > 1)
			stage = rng_below(&r, 2);
		s->init_stage[id] = (uint8_t)stage;
		plan_links(s, &r, id, p, at);
	}
}

/* ---- Writing ---- */

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* One line of the seed's account; rows 0: a step that writes nothing of its own (the plan, the total). */
static void report(const char *what, uint64_t rows, const struct timespec *t0)
{
	double secs = seconds_since(t0);
	if (rows)
		printf("  %-18s %10llu rows %8.1f s %10.0f rows/s\n", what, (unsigned long long)rows,
		       secs, secs > 0 ? (double)rows / secs : 0.0);
	else
		printf("  %-18s %15s %8.1f s\n", what, "", secs);
	fflush(stdout);
}

static void territory_welcome(struct buf *b, const char *town)
{
	buf_addf(b, "**UP %s** est la plateforme où les habitants, les associations et les "
		    "entreprises de %s repèrent ensemble les besoins de la ville et les "
		    "transforment en projets utiles à tous. Ici, la créativité n’est pas bridée : "
		    "déposez votre idée telle quelle, la communauté vous aidera à la bonifier.\n\n"
		    "Quand une idée mûrit, les partenaires du territoire (accompagnement, "
		    "formation, financement solidaire, financement participatif, locaux) prennent "
		    "le relais pour qu’elle devienne une entreprise, un événement ou un service. "
		    "Inspirez-vous et inspirez-nous !",
		 town, town);
}

static int write_territories(struct seeder *s)
{
	struct inserter t, h;
	unsigned n = s->sz.territories;
	ins_init(&t, s, "territories (id, slug, name, tagline, welcome, created_at)", 6, n);
	ins_init(&h, s, "territory_hosts (host, territory_id)", 2, n);
	for (unsigned i = 1; i <= n; i++) {
		const char *town = s->places[i - 1].town;
		buf_reset(&s->t1);
		buf_reset(&s->t2);
		buf_reset(&s->t3);
		buf_addf(&s->t1, "t%u", i);
		buf_addf(&s->t2, "UP %s", town);
		territory_welcome(&s->t3, town);
		ins_int(&t, i);
		ins_text(&t, s->t1.ptr);
		ins_text(&t, s->t2.ptr);
		buf_reset(&s->t2);
		buf_addf(&s->t2, "Les idées des habitants, des projets pour %s", town);
		ins_text(&t, s->t2.ptr);
		ins_text(&t, s->t3.ptr);
		ins_int(&t, s->start - YEAR);
		ins_end_row(&t);
	}
	for (unsigned i = 1; i <= n; i++) {
		buf_reset(&s->t1);
		buf_addf(&s->t1, "t%u.bench.localhost", i);
		ins_text(&h, s->t1.ptr);
		ins_int(&h, i);
		ins_end_row(&h);
	}
	return ins_finish(&t) | ins_finish(&h);
}

static int write_themes_and_hoods(struct seeder *s)
{
	struct inserter th, nh;
	unsigned n = s->sz.territories;
	uint64_t n_hoods = 0;
	for (unsigned t = 0; t < n; t++)
		n_hoods += s->places[t].n_hoods;
	ins_init(&th, s, "themes (id, territory_id, slug, name)", 4, (uint64_t)n * THEMES);
	ins_init(&nh, s, "neighbourhoods (id, territory_id, name)", 3, n_hoods);
	for (unsigned t = 0; t < n; t++) {
		for (unsigned k = 0; k < THEMES; k++) {
			ins_int(&th, (int64_t)t * THEMES + k + 1);
			ins_int(&th, t + 1);
			ins_text(&th, themes[k].slug);
			ins_text(&th, themes[k].name);
			ins_end_row(&th);
		}
	}
	for (unsigned t = 0; t < n; t++) {
		const struct place *p = &s->places[t];
		for (unsigned k = 0; k < p->n_hoods; k++) {
			ins_int(&nh, p->first_hood + k);
			ins_int(&nh, t + 1);
			ins_text(&nh, place_hood(p, k));
			ins_end_row(&nh);
		}
	}
	return ins_finish(&th) | ins_finish(&nh);
}

static int write_people(struct seeder *s)
{
	struct inserter in;
	ins_init(&in, s, "users (id, email, display_name, bio, created_at)", 5, s->sz.people);
	for (uint32_t id = 1; id <= s->sz.people; id++) {
		struct rng r = rng_for(S_USER, id);
		rng_next(&r); /* the territory, drawn by plan_people() */
		buf_reset(&s->t1);
		buf_reset(&s->t2);
		const char *first = PICK(&r, first_names);
		buf_addf(&s->t1, "%s %c.", first, 'A' + (int)rng_below(&r, 26));
		if (rng_chance(&r, 40)) {
			const char *job = PICK(&r, occupations), *hood = PICK(&r, hoods);
			buf_addf(&s->t2, "%s, habite le quartier %s depuis %u ans.", job, hood,
				 1 + rng_below(&r, 30));
		}
		ins_int(&in, id);
		ins_id(&in, 0);
		ins_text(&in, s->t1.ptr);
		ins_text(&in, s->t2.ptr);
		ins_int(&in, user_time(s, id));
		if (ins_end_row(&in))
			break;
	}
	return ins_finish(&in);
}

/* The name, slug and kind of organisation id (its place's k-th). */
static void org_identity(struct seeder *s, uint32_t id, const char **kind, int *partner)
{
	const struct place *p = &s->places[s->org_place[id]];
	unsigned k = (unsigned)(id - p->first_org);
	struct rng r = rng_for(S_ORG, id);
	buf_reset(&s->t1);
	buf_reset(&s->t2);
	*partner = k % PARTNER_EVERY == PARTNER_EVERY - 1;
	if (*partner) {
		unsigned which = rng_below(&r, ARRAY_SIZE(partner_kinds));
		buf_addf(&s->t1, "%s %s", partner_kinds[which].name, p->town);
		buf_addf(&s->t2, "%s-%u", partner_kinds[which].stem, k + 1);
		*kind = "partner";
	} else {
		unsigned which = rng_below(&r, ARRAY_SIZE(org_kinds));
		const char *where = rng_chance(&r, 50) ? p->town : place_hood(p, k % p->n_hoods);
		buf_addf(&s->t1, "%s %s", org_kinds[which].name, where);
		buf_addf(&s->t2, "%s-%u", org_kinds[which].stem, k + 1);
		*kind = org_kinds[which].kind;
	}
}

/* Accredited partners of each place, known once the organisations are written. */
static void note_partner(struct seeder *s, uint32_t org, int accredited)
{
	if (!accredited)
		return;
	struct place *p = &s->places[s->org_place[org]];
	push_id(&p->partners, &p->n_partners, &p->alloc_partners, org);
}

static int write_organisations(struct seeder *s)
{
	struct inserter in;
	ins_init(&in, s,
		 "organisations (id, territory_id, slug, name, kind, summary, description,"
		 " website, is_partner, accredited_at, created_at)",
		 11, s->n_orgs);
	for (uint32_t id = 1; id <= s->n_orgs; id++) {
		const char *kind;
		int partner;
		org_identity(s, id, &kind, &partner);
		int64_t at = org_time(s, id);
		const char *town = s->places[s->org_place[id]].town;
		struct rng r = rng_for(S_ORG, id + 0x100000000ULL);
		buf_reset(&s->t3);
		sentences(&s->t3, &r, proposal_sentences, ARRAY_SIZE(proposal_sentences), 3, town);
		ins_int(&in, id);
		ins_int(&in, s->org_place[id] + 1);
		ins_text(&in, s->t2.ptr);
		ins_text(&in, s->t1.ptr);
		ins_text(&in, kind);
		buf_reset(&s->t2);
		buf_addf(&s->t2, "Agit à %s pour %s.", town, PICK(&r, goals));
		ins_text(&in, s->t2.ptr);
		ins_text(&in, s->t3.ptr);
		ins_text(&in, partner ? "https://partenaire.example.org/" : "");
		int accredited = partner && rng_chance(&r, 80);
		note_partner(s, id, accredited);
		ins_int(&in, partner);
		ins_id(&in, accredited ? at : 0);
		ins_int(&in, at);
		if (ins_end_row(&in))
			break;
	}
	return ins_finish(&in);
}

/* A random theme id of territory t (0-based), the common ones more often. */
static int64_t pick_theme(struct rng *r, unsigned t)
{
	unsigned w[THEMES];
	for (size_t k = 0; k < THEMES; k++)
		w[k] = themes[k].weight;
	return (int64_t)t * THEMES + (int64_t)rng_weighted(r, w, THEMES) + 1;
}

static void bind_place(struct inserter *in, const struct place *p, struct rng *r)
{
	if (!rng_chance(r, 60)) {
		ins_id(in, 0);
		ins_id(in, 0);
		return;
	}
	char text[32];
	snprintf(text, sizeof(text), "%.5f", p->lat + (rng_unit(r) - 0.5) * 0.04);
	ins_text(in, text);
	snprintf(text, sizeof(text), "%.5f", p->lng + (rng_unit(r) - 0.5) * 0.06);
	ins_text(in, text);
}

static int write_needs(struct seeder *s)
{
	struct inserter in;
	ins_init(&in, s,
		 "needs (id, territory_id, author_id, title, body, theme_id, neighbourhood_id,"
		 " lat, lng, metoo_count, idea_count, created_at, updated_at)",
		 13, s->n_needs);
	for (uint32_t id = 1; id <= s->n_needs; id++) {
		unsigned t = s->need_place[id];
		const struct place *p = &s->places[t];
		struct rng r = rng_for(S_NEED_TEXT, id);
		unsigned hood = rng_below(&r, p->n_hoods);
		buf_reset(&s->t1);
		buf_reset(&s->t2);
		need_title(&s->t1, &r, place_hood(p, hood));
		sentences(&s->t2, &r, need_sentences, ARRAY_SIZE(need_sentences), 2 + rng_below(&r, 3),
			  p->town);
		int64_t at = item_time(s, id, s->n_needs);
		double u = rng_unit(&r);
		ins_int(&in, id);
		ins_int(&in, t + 1);
		ins_id(&in, s->need_author[id]);
		ins_text(&in, s->t1.ptr);
		ins_text(&in, s->t2.ptr);
		ins_id(&in, rng_chance(&r, 90) ? pick_theme(&r, t) : 0);
		ins_id(&in, rng_chance(&r, 75) ? p->first_hood + hood : 0);
		bind_place(&in, p, &r);
		ins_int(&in, (int64_t)(u * u * u * 80));
		ins_int(&in, s->idea_count[id]);
		ins_int(&in, at);
		ins_int(&in, at);
		if (ins_end_row(&in))
			break;
	}
	return ins_finish(&in);
}

/* An organisation of the place that is not a partner, to carry a project. */
static int64_t pick_carrier(struct rng *r, const struct place *p)
{
	unsigned k = rng_below(r, p->n_orgs);
	if (k % PARTNER_EVERY == PARTNER_EVERY - 1)
		k--;
	return p->first_org + k;
}

static void bind_initiative(struct seeder *s, struct inserter *in, uint32_t id)
{
	unsigned t = s->init_place[id];
	const struct place *p = &s->places[t];
	size_t stage = s->init_stage[id];
	struct rng r = rng_for(S_INIT_TEXT, id);
	unsigned hood = rng_below(&r, p->n_hoods);
	buf_reset(&s->t1);
	buf_reset(&s->t2);
	buf_reset(&s->t3);
	initiative_title(&s->t1, &r, place_hood(p, hood));
	initiative_texts(&s->t2, &s->t3, &r, p->town);
	int64_t at = item_time(s, id, s->sz.initiatives);
	int64_t updated = at + (int64_t)rng_below(&r, (uint32_t)(stage * 60 + 1)) * DAY;
	double u = rng_unit(&r);
	ins_int(in, id);
	ins_int(in, t + 1);
	ins_id(in, s->init_author[id]);
	ins_id(in, stage >= STAGE_PROJECT && stage <= STAGE_REALISED && rng_chance(&r, 60)
			   ? pick_carrier(&r, p)
			   : 0);
	ins_text(in, s->t1.ptr);
	ins_text(in, s->t2.ptr);
	ins_text(in, s->t3.ptr);
	ins_text(in, stages[stage]);
	ins_text(in, stage == STAGE_REALISED ? PICK(&r, outcomes) : NULL);
	ins_id(in, rng_chance(&r, 95) ? pick_theme(&r, t) : 0);
	ins_id(in, rng_chance(&r, 70) ? p->first_hood + hood : 0);
	ins_int(in, (int64_t)(u * u * u * (stage >= STAGE_PROJECT ? 250 : 60)));
	ins_int(in, s->init_comments[id]);
	ins_int(in, at);
	ins_int(in, updated < s->end ? updated : s->end);
}

static int write_initiatives(struct seeder *s)
{
	struct inserter in;
	ins_init(&in, s,
		 "initiatives (id, territory_id, author_id, carrier_org_id, title, summary, body,"
		 " stage, outcome_kind, theme_id, neighbourhood_id, support_count, comment_count,"
		 " created_at, updated_at)",
		 15, s->sz.initiatives);
	for (uint32_t id = 1; id <= s->sz.initiatives; id++) {
		bind_initiative(s, &in, id);
		if (ins_end_row(&in))
			break;
	}
	return ins_finish(&in);
}

static int write_links(struct seeder *s)
{
	struct inserter in;
	ins_init(&in, s, "initiative_needs (initiative_id, need_id)", 2, s->n_links);
	for (size_t i = 0; i < s->n_links; i++) {
		ins_int(&in, s->link_init[i]);
		ins_int(&in, s->link_need[i]);
		if (ins_end_row(&in))
			break;
	}
	return ins_finish(&in);
}

/* ---- The activity log, merged by date ---- */

enum kind { K_USER, K_ORG, K_NEED, K_INIT, K_COUNT };

/* ---- Comments, offers and project needs ---- */

static const char *const comment_sentences[] = {
	"Très bonne idée, je suis partant pour donner un coup de main.",
	"On pourrait commencer par un essai dans le quartier %Q avant d’aller plus loin.",
	"Avez-vous pensé à %P ? Ils seraient sûrement intéressés.",
	"Le centre social de %T pourrait prêter une salle pour une première réunion.",
	"Je l’ai vu fonctionner ailleurs : il faut surtout une équipe régulière.",
	"Quel budget faut-il prévoir pour démarrer ?",
	"Je peux aider pour la communication et les réseaux sociaux.",
	"Attention aux horaires : beaucoup de gens travaillent en semaine.",
	"Une réunion publique permettrait de recueillir d’autres avis.",
	"C’est exactement ce qui manque à %T pour %G.",
	"Je connais une association qui fait déjà quelque chose de proche, je vous mets en contact.",
	"Il faudrait demander l’avis de la mairie sur l’occupation de l’espace public.",
	"Bravo pour l’initiative, je suivrai le projet de près.",
	"Pourquoi ne pas s’associer avec les commerçants du quartier %Q ?",
};

/* What a partner offers, by kind; amount 0: no amount. */
static const struct {
	const char *kind;
	const char *title;
	const char *text;
	int64_t amount;
	const char *capacity;
} offer_models[] = {
	{ "coaching", "Accompagnement des porteurs de projet",
	  "Un conseiller suit le projet pendant six mois : étude de marché, modèle économique et "
	  "premiers partenaires.", 0, "12 projets par an" },
	{ "training", "Formation « Créer son activité dans l’ESS »",
	  "Huit demi-journées pour passer de l’idée au projet : statuts, budget, gouvernance.", 0,
	  "15 places par session" },
	{ "funding", "Prêt d’honneur à taux zéro",
	  "Un prêt personnel sans intérêt ni garantie pour renforcer les fonds propres du projet.", 8000,
	  "" },
	{ "funding", "Subvention d’amorçage",
	  "Une aide pour les premiers mois d’un projet d’utilité sociale du territoire.", 5000, "" },
	{ "crowdfunding", "Campagne de financement participatif accompagnée",
	  "Nous aidons à préparer la campagne, à fixer l’objectif et à mobiliser les premiers "
	  "contributeurs.", 15000, "" },
	{ "premises", "Bureaux partagés à la pépinière",
	  "Des postes de travail, une salle de réunion et une domiciliation à loyer modéré.", 0,
	  "6 postes" },
	{ "equipment", "Prêt de matériel pour les événements",
	  "Tables, barnums, sonorisation et vaisselle réutilisable, prêtés gratuitement.", 0, "" },
	{ "logistics", "Transport et stockage solidaires",
	  "Une camionnette avec chauffeur bénévole et un local de stockage.", 0, "2 jours par mois" },
	{ "expertise", "Mécénat de compétences : juridique et comptable",
	  "Des salariés bénévoles relisent les statuts, le budget et les contrats.", 0, "" },
	{ "communication", "Relais dans le magazine municipal",
	  "Une page pour présenter le projet et appeler à rejoindre l’équipe.", 0, "" },
};

static const char *const offer_stage_names[] = { "idea", "improving", "project", "supported",
						 "realised" };
static const unsigned offer_stage_weights[] = { 5, 10, 40, 35, 10 };

static const struct {
	const char *kind;
	const char *text;
} project_need_models[] = {
	{ "money", "Financer le matériel et les premiers mois de fonctionnement." },
	{ "premises", "Un local au rez-de-chaussée, accessible, pour accueillir le public." },
	{ "coaching", "Être accompagnés pour bâtir le modèle économique." },
	{ "training", "Former l’équipe bénévole à l’animation et à la sécurité." },
	{ "equipment", "Du matériel à emprunter pour les premières séances." },
	{ "volunteers", "Des bénévoles disponibles le samedi matin." },
	{ "other", "Un relais auprès des écoles et des commerces du quartier." },
};

/*
 * How many comments each initiative has: every SHOWCASE_EVERY-th has
 * exactly SHOWCASE_COMMENTS (the bench's "initiative with 50 comments"),
 * the rest of the total is shared evenly by the others.
 */
static void plan_comments(struct seeder *s)
{
	unsigned n = s->sz.initiatives;
	uint64_t left = s->sz.comments, showcases = 0;
	s->init_comments = xcalloc(n + 1, sizeof(uint32_t));
	for (uint32_t id = SHOWCASE_EVERY; id <= n && left >= SHOWCASE_COMMENTS; id += SHOWCASE_EVERY) {
		s->init_comments[id] = SHOWCASE_COMMENTS;
		left -= SHOWCASE_COMMENTS;
		showcases++;
	}
	uint64_t others = n - showcases, j = 0;
	for (uint32_t id = 1; id <= n && others; id++) {
		if (s->init_comments[id])
			continue;
		s->init_comments[id] = (uint32_t)(left * (j + 1) / others - left * j / others);
		j++;
	}
}

/* One comment of a discussion being drawn: what its replies need to know. */
struct drawn_comment {
	int64_t id, root;
	int depth;
	char path[(SEED_COMMENT_DEPTH + 1) * 21 + 1]; /* ids of up to 19 digits and the dots */
};

/* The k comments of initiative iid, oldest first: about four in ten answer an earlier one. */
static void bind_discussion(struct seeder *s, struct inserter *in, uint32_t iid, uint32_t k,
			    int64_t *next_id, struct drawn_comment *d)
{
	const struct place *p = &s->places[s->init_place[iid]];
	struct rng r = rng_for(S_COMMENT, iid);
	int64_t at = item_time(s, iid, s->sz.initiatives), span = s->end - at;
	for (uint32_t c = 0; c < k; c++) {
		struct drawn_comment *me = &d[c];
		me->id = ++*next_id;
		int64_t when = at + (int64_t)((double)span * (c + 1) / (k + 1));
		const struct drawn_comment *parent = NULL;
		if (c && rng_chance(&r, 40)) {
			parent = &d[rng_below(&r, c)];
			if (parent->depth >= SEED_COMMENT_DEPTH)
				parent = NULL;
		}
		me->root = parent ? parent->root : me->id;
		me->depth = parent ? parent->depth + 1 : 0;
		int len = parent ? snprintf(me->path, sizeof(me->path), "%s.%012lld", parent->path,
					    (long long)me->id)
				 : snprintf(me->path, sizeof(me->path), "%012lld", (long long)me->id);
		if (len < 0 || (size_t)len >= sizeof(me->path))
			BUG("bench-seed: a comment path longer than its buffer");
		buf_reset(&s->t1);
		sentences(&s->t1, &r, comment_sentences, ARRAY_SIZE(comment_sentences),
			  1 + rng_below(&r, 3), p->town);
		ins_int(in, me->id);
		ins_int(in, s->init_place[iid] + 1);
		ins_text(in, "initiative");
		ins_int(in, iid);
		ins_id(in, parent ? parent->id : 0);
		ins_int(in, me->root);
		ins_int(in, me->depth);
		ins_text(in, me->path);
		ins_id(in, pick_author(s, &r, p, when));
		ins_text(in, s->t1.ptr);
		ins_int(in, when);
		if (ins_end_row(in))
			return;
	}
}

static int write_comments(struct seeder *s)
{
	struct inserter in;
	ins_init(&in, s,
		 "comments (id, territory_id, object_type, object_id, parent_id, root_id, depth, path,"
		 " author_id, body, created_at)",
		 11, s->sz.comments);
	int64_t next_id = 0;
	struct drawn_comment *d = NULL;
	size_t alloc = 0;
	for (uint32_t iid = 1; iid <= s->sz.initiatives && !in.failed; iid++) {
		uint32_t k = s->init_comments[iid];
		d = xgrow(d, sizeof(*d), k, &alloc);
		bind_discussion(s, &in, iid, k, &next_id, d);
	}
	free(d);
	return ins_finish(&in);
}

/* What offer id is: drawn the same way when counting and when writing. */
struct drawn_offer {
	unsigned territory, model;
	uint32_t org;
	unsigned stages; /* bit k: offer_stage_names[k] */
	unsigned n_stages, n_themes;
	int64_t theme[2];
	int active, closed;
	int64_t at;
};

static int draw_offer(const struct seeder *s, uint32_t id, struct drawn_offer *o)
{
	struct rng r = rng_for(S_OFFER, id);
	memset(o, 0, sizeof(*o));
	o->territory = pick_territory(s, &r);
	const struct place *p = &s->places[o->territory];
	if (!p->n_partners)
		return 0;
	o->org = p->partners[rng_below(&r, (uint32_t)p->n_partners)];
	o->model = rng_below(&r, ARRAY_SIZE(offer_models));
	unsigned want = 1 + rng_below(&r, 3);
	for (unsigned i = 0; i < want; i++)
		o->stages |= 1u << rng_weighted(&r, offer_stage_weights,
						ARRAY_SIZE(offer_stage_weights));
	o->n_stages = (unsigned)__builtin_popcount(o->stages);
	o->n_themes = rng_below(&r, 3);
	for (unsigned i = 0; i < o->n_themes; i++)
		o->theme[i] = pick_theme(&r, o->territory);
	if (o->n_themes == 2 && o->theme[0] == o->theme[1])
		o->n_themes = 1;
	o->active = rng_chance(&r, 90);
	o->closed = rng_chance(&r, 10);
	o->at = s->end - (int64_t)rng_below(&r, (uint32_t)(2 * YEAR));
	return 1;
}

static void bind_offer(const struct seeder *s, struct inserter *in, uint32_t id,
		       const struct drawn_offer *o)
{
	ins_int(in, id);
	ins_int(in, o->territory + 1);
	ins_int(in, o->org);
	ins_text(in, offer_models[o->model].kind);
	ins_text(in, offer_models[o->model].title);
	ins_text(in, offer_models[o->model].text);
	ins_text(in, "Projets d’utilité sociale du territoire.");
	ins_id(in, offer_models[o->model].amount);
	ins_text(in, offer_models[o->model].capacity);
	ins_id(in, o->closed ? o->at + 90 * DAY : 0);
	ins_int(in, o->active);
	ins_int(in, o->at);
	ins_int(in, o->at < s->end ? o->at : s->end);
}

static int write_offers(struct seeder *s, uint64_t *written)
{
	struct drawn_offer o;
	uint64_t n = 0, n_stages = 0, n_themes = 0;
	for (uint32_t id = 1; id <= s->sz.offers; id++) {
		if (!draw_offer(s, id, &o))
			continue;
		n++;
		n_stages += o.n_stages;
		n_themes += o.n_themes;
	}
	struct inserter of, st, th;
	ins_init(&of, s,
		 "offers (id, territory_id, organisation_id, kind, title, description, conditions,"
		 " amount_max_eur, capacity, closes_at, active, created_at, updated_at)",
		 13, n);
	ins_init(&st, s, "offer_stages (offer_id, stage)", 2, n_stages);
	ins_init(&th, s, "offer_themes (offer_id, theme_id)", 2, n_themes);
	uint32_t next = 0;
	for (uint32_t id = 1; id <= s->sz.offers && !of.failed; id++) {
		if (!draw_offer(s, id, &o))
			continue;
		bind_offer(s, &of, ++next, &o);
		ins_end_row(&of);
	}
	/* Then what refers to them: a batch of stages must not run ahead of its offers. */
	next = 0;
	for (uint32_t id = 1; id <= s->sz.offers && !st.failed && !th.failed; id++) {
		if (!draw_offer(s, id, &o))
			continue;
		next++;
		for (unsigned k = 0; k < ARRAY_SIZE(offer_stage_names); k++) {
			if (!(o.stages & 1u << k))
				continue;
			ins_int(&st, next);
			ins_text(&st, offer_stage_names[k]);
			ins_end_row(&st);
		}
		for (unsigned k = 0; k < o.n_themes; k++) {
			ins_int(&th, next);
			ins_int(&th, o.theme[k]);
			ins_end_row(&th);
		}
	}
	*written = next;
	return ins_finish(&of) | ins_finish(&st) | ins_finish(&th);
}

/* Projects say what they need: 1 to 3 needs each, met once realised. */
static unsigned project_needs_of(const struct seeder *s, uint32_t iid, struct rng *r)
{
	size_t stage = s->init_stage[iid];
	if (stage < STAGE_PROJECT || stage > STAGE_REALISED)
		return 0;
	*r = rng_for(S_PROJECT_NEED, iid);
	return 1 + rng_below(r, 3);
}

static int write_project_needs(struct seeder *s, uint64_t *written)
{
	struct rng r;
	uint64_t n = 0;
	for (uint32_t iid = 1; iid <= s->sz.initiatives; iid++)
		n += project_needs_of(s, iid, &r);
	struct inserter in;
	ins_init(&in, s,
		 "project_needs (id, territory_id, initiative_id, kind, description, amount_eur,"
		 " surface_m2, state, created_at, updated_at)",
		 10, n);
	uint64_t id = 0;
	for (uint32_t iid = 1; iid <= s->sz.initiatives && !in.failed; iid++) {
		unsigned k = project_needs_of(s, iid, &r);
		if (!k)
			continue;
		int64_t at = item_time(s, iid, s->sz.initiatives);
		unsigned first = rng_below(&r, ARRAY_SIZE(project_need_models));
		for (unsigned i = 0; i < k; i++) {
			unsigned m = (first + i * 3) % ARRAY_SIZE(project_need_models);
			const char *kind = project_need_models[m].kind;
			ins_int(&in, (int64_t)++id);
			ins_int(&in, s->init_place[iid] + 1);
			ins_int(&in, iid);
			ins_text(&in, kind);
			ins_text(&in, project_need_models[m].text);
			ins_id(&in, !strcmp(kind, "money") ? 1000 + 500 * (int64_t)rng_below(&r, 20) : 0);
			ins_id(&in, !strcmp(kind, "premises") ? 20 + 10 * (int64_t)rng_below(&r, 10) : 0);
			ins_text(&in, s->init_stage[iid] == STAGE_REALISED ? "met" : "open");
			ins_int(&in, at);
			ins_int(&in, at);
			if (ins_end_row(&in))
				break;
		}
	}
	*written = id;
	return ins_finish(&in);
}

struct merge {
	uint64_t next[K_COUNT]; /* next id of each list */
	uint64_t count[K_COUNT];
	size_t link; /* next link of initiative_needs */
};

static int64_t kind_time(const struct seeder *s, enum kind k, uint64_t id)
{
	switch (k) {
	case K_USER:
		return user_time(s, id);
	case K_ORG:
		return org_time(s, id);
	case K_NEED:
		return item_time(s, id, s->n_needs);
	default:
		return item_time(s, id, s->sz.initiatives);
	}
}

/* The list whose next item is the oldest; K_COUNT when all are done. */
static enum kind merge_next(const struct seeder *s, const struct merge *m)
{
	enum kind best = K_COUNT;
	int64_t best_at = 0;
	for (int k = 0; k < K_COUNT; k++) {
		if (m->next[k] > m->count[k])
			continue;
		int64_t at = kind_time(s, (enum kind)k, m->next[k]);
		if (best == K_COUNT || at < best_at) {
			best = (enum kind)k;
			best_at = at;
		}
	}
	return best;
}

/* details (t3), territory and actor of item id of list k, as its Create activity says. */
static void activity_of(struct seeder *s, struct merge *m, enum kind k, uint32_t id,
			int64_t *territory, int64_t *actor)
{
	struct buf *d = &s->t3;
	buf_reset(d);
	if (k == K_USER) {
		buf_adds(d, "{}");
		*territory = s->user_place[id] + 1;
		*actor = id;
		return;
	}
	if (k == K_ORG) {
		const char *kind;
		int partner;
		org_identity(s, id, &kind, &partner);
		buf_adds(d, "{\"slug\":");
		add_json_string(d, s->t2.ptr);
		buf_addf(d, ",\"kind\":\"%s\"}", kind);
		*territory = s->org_place[id] + 1;
		*actor = 0;
		return;
	}
	int need = k == K_NEED;
	const struct place *p = &s->places[need ? s->need_place[id] : s->init_place[id]];
	struct rng r = rng_for(need ? S_NEED_TEXT : S_INIT_TEXT, id);
	const char *hood = place_hood(p, rng_below(&r, p->n_hoods));
	buf_reset(&s->t1);
	(need ? need_title : initiative_title)(&s->t1, &r, hood);
	buf_adds(d, "{\"title\":");
	add_json_string(d, s->t1.ptr);
	*territory = (need ? s->need_place[id] : s->init_place[id]) + 1;
	*actor = need ? s->need_author[id] : s->init_author[id];
	if (need) {
		buf_addch(d, '}');
		return;
	}
	buf_addf(d, ",\"stage\":\"%s\",\"needs\":[", stages[s->init_stage[id]]);
	for (int first = 1; m->link < s->n_links && s->link_init[m->link] == id; m->link++, first = 0)
		buf_addf(d, "%s%u", first ? "" : ",", s->link_need[m->link]);
	buf_adds(d, "]}");
}

static const char *const kind_names[K_COUNT] = { "user", "organisation", "need", "initiative" };

static int write_activities(struct seeder *s, uint64_t *written)
{
	struct merge m = { .next = { 1, 1, 1, 1 },
			   .count = { s->sz.people, s->n_orgs, s->n_needs, s->sz.initiatives } };
	uint64_t total = m.count[0] + m.count[1] + m.count[2] + m.count[3];
	struct inserter in;
	ins_init(&in, s,
		 "activities (id, territory_id, actor_id, verb, object_type, object_id, details,"
		 " created_at)",
		 8, total);
	enum kind k;
	uint64_t n = 0;
	while ((k = merge_next(s, &m)) != K_COUNT) {
		uint32_t id = (uint32_t)m.next[k]++;
		int64_t territory, actor;
		activity_of(s, &m, k, id, &territory, &actor);
		ins_int(&in, (int64_t)++n);
		ins_int(&in, territory);
		ins_id(&in, actor);
		ins_text(&in, "Create");
		ins_text(&in, kind_names[k]);
		ins_int(&in, id);
		ins_text(&in, s->t3.ptr);
		ins_int(&in, kind_time(s, k, id));
		if (ins_end_row(&in))
			break;
	}
	*written = n;
	return ins_finish(&in);
}

/*
 * The search index, from the rows just written, in one statement. FTS5
 * (SQLite) takes the rows through the table's trigger into its in-memory
 * pending terms, flushed in large segments; PostgreSQL builds its GIN index
 * once, after the load, which is several times faster than row by row.
 */
static int write_search(struct seeder *s)
{
	if (db_kind(s->db) == DB_SQLITE)
		return search_index_all(s->db);
	return db_exec(s->db, "DROP INDEX search_docs_words") || search_index_all(s->db) ||
	       db_exec(s->db, "CREATE INDEX search_docs_words ON search_docs USING gin (tsv)");
}

/* ---- The command ---- */

static int check_empty(struct db *db)
{
	int64_t territories, people;
	if (db_query_int(db, &territories, "SELECT COUNT(*) FROM territories", "") ||
	    db_query_int(db, &people, "SELECT COUNT(*) FROM users", ""))
		return -1;
	if (territories || people)
		return error("bench-seed needs an empty, migrated database (this one has %lld "
			     "territories and %lld people): use a new one",
			     (long long)territories, (long long)people);
	return 0;
}

static int check_sizes(const struct bench_sizes *sz)
{
	if (sz->territories < 1 || sz->territories > TERRITORIES_MAX)
		return error("bench-seed: --territories must be 1 to %d", TERRITORIES_MAX);
	if (sz->initiatives > ITEMS_MAX || sz->needs > ITEMS_MAX || sz->people > ITEMS_MAX)
		return error("bench-seed: at most %u initiatives, needs and people", ITEMS_MAX);
	if (!sz->people && (sz->initiatives || sz->needs))
		return error("bench-seed: needs and initiatives need --people 1 or more");
	if (sz->comments && !sz->initiatives)
		return error("bench-seed: comments need --initiatives 1 or more");
	return 0;
}

static void plan(struct seeder *s)
{
	time_t now = time(NULL);
	s->end = (int64_t)now - (int64_t)now % DAY; /* today, midnight UTC */
	s->start = s->end - SPAN;
	s->n_needs = s->sz.needs ? s->sz.needs : s->sz.initiatives / 2;
	plan_territories(s);
	plan_places(s);
	plan_people(s);
	plan_needs(s);
	plan_initiatives(s);
	plan_comments(s);
}

static void seeder_release(struct seeder *s)
{
	for (unsigned t = 0; s->places && t < s->sz.territories; t++) {
		free(s->places[t].town);
		free(s->places[t].users);
		free(s->places[t].needs);
		free(s->places[t].partners);
	}
	free(s->places);
	free(s->territory_cum);
	free(s->user_place);
	free(s->org_place);
	free(s->need_place);
	free(s->init_place);
	free(s->need_author);
	free(s->init_author);
	free(s->idea_count);
	free(s->init_comments);
	free(s->init_stage);
	free(s->link_init);
	free(s->link_need);
	buf_release(&s->t1);
	buf_release(&s->t2);
	buf_release(&s->t3);
}

/* The comments, the partners' offers and the projects' needs. */
static int write_rest(struct seeder *s)
{
	struct timespec t0;
	uint64_t offers = 0, needs = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_comments(s))
		return -1;
	report("comments", s->sz.comments, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_offers(s, &offers))
		return -1;
	report("offers", offers, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_project_needs(s, &needs))
		return -1;
	report("project_needs", needs, &t0);
	return 0;
}

/* Each table in turn, each reported with its time. */
static int write_all(struct seeder *s)
{
	struct timespec t0;
	uint64_t activities = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_territories(s) || write_themes_and_hoods(s))
		return -1;
	report("territories", s->sz.territories, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_people(s))
		return -1;
	report("people", s->sz.people, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_organisations(s))
		return -1;
	report("organisations", s->n_orgs, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_needs(s))
		return -1;
	report("needs", s->n_needs, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_initiatives(s))
		return -1;
	report("initiatives", s->sz.initiatives, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_links(s))
		return -1;
	report("initiative_needs", s->n_links, &t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_activities(s, &activities))
		return -1;
	report("activities", activities, &t0);
	if (write_rest(s))
		return -1;
	/* Last: the index holds the needs, the initiatives and the comments. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (write_search(s))
		return -1;
	report("search index", s->n_needs + s->sz.initiatives + s->sz.comments, &t0);
	return 0;
}

/* Identity columns go on from the explicit ids (PostgreSQL); fresh statistics for the planner. */
static int finish_postgres(struct db *db)
{
	static const char sql[] =
		"SELECT setval(pg_get_serial_sequence('territories', 'id'), MAX(id)) FROM territories;"
		"SELECT setval(pg_get_serial_sequence('themes', 'id'), MAX(id)) FROM themes;"
		"SELECT setval(pg_get_serial_sequence('neighbourhoods', 'id'), MAX(id)) FROM neighbourhoods;"
		"SELECT setval(pg_get_serial_sequence('users', 'id'), MAX(id)) FROM users;"
		"SELECT setval(pg_get_serial_sequence('organisations', 'id'), MAX(id)) FROM organisations;"
		"SELECT setval(pg_get_serial_sequence('needs', 'id'), MAX(id)) FROM needs;"
		"SELECT setval(pg_get_serial_sequence('initiatives', 'id'), MAX(id)) FROM initiatives;"
		"SELECT setval(pg_get_serial_sequence('activities', 'id'), MAX(id)) FROM activities;"
		"SELECT setval(pg_get_serial_sequence('comments', 'id'), GREATEST(MAX(id), 1)) FROM comments;"
		"SELECT setval(pg_get_serial_sequence('offers', 'id'), GREATEST(MAX(id), 1)) FROM offers;"
		"SELECT setval(pg_get_serial_sequence('project_needs', 'id'), GREATEST(MAX(id), 1))"
		" FROM project_needs;"
		"ANALYZE;";
	return db_exec(db, sql);
}

static int seed_speed(struct db *db, int on)
{
	if (db_kind(db) == DB_SQLITE)
		return db_exec(db, on ? "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;"
					"PRAGMA cache_size = -262144;"
				      : "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;"
					"PRAGMA cache_size = -2000;");
	return db_exec(db, on ? "SET synchronous_commit = off" : "RESET synchronous_commit");
}

int bench_seed(struct db *db, const struct bench_sizes *sizes)
{
	struct seeder s = { .db = db, .sz = *sizes, .t1 = BUF_INIT, .t2 = BUF_INIT, .t3 = BUF_INIT };
	struct timespec t0;
	if (check_sizes(sizes) || check_empty(db))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	plan(&s);
	report("plan", 0, &t0);
	int rc = seed_speed(db, 1);
	if (!rc && !(rc = db_begin(db))) {
		rc = write_all(&s);
		rc = rc ? (db_rollback(db), -1) : db_commit(db);
	}
	if (!rc && db_kind(db) == DB_POSTGRES)
		rc = finish_postgres(db);
	seed_speed(db, 0);
	report("total", 0, &t0);
	seeder_release(&s);
	return rc ? error("bench-seed: stopped; what was committed stays (start again on a new database)")
		  : 0;
}

/* ---- Durable commits ---- */

static int probe_once(struct db *db, int64_t territory, int64_t *id)
{
	if (db_begin(db))
		return -1;
	if (db_query_int(db, id,
			 "INSERT INTO contact_messages (territory_id, name, email, body, created_at)"
			 " VALUES (?, 'bench-commit-probe', '', 'commit-rate probe', ?) RETURNING id",
			 "ii", territory, (int64_t)time(NULL)) ||
	    db_commit(db)) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int bench_commit_rate(struct db *db, unsigned seconds, double *per_second, uint64_t *commits)
{
	int64_t territory, id = 0;
	if (db_query_int(db, &territory, "SELECT MIN(id) FROM territories", "") ||
	    !territory)
		return error("bench-seed --commit-rate: the database has no territory (seed it first)");
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	uint64_t n = 0;
	double elapsed = 0;
	int rc = 0;
	while (!rc && elapsed < seconds) {
		rc = probe_once(db, territory, &id);
		n += !rc;
		elapsed = seconds_since(&t0);
	}
	if (db_execv(db, "DELETE FROM contact_messages WHERE name = 'bench-commit-probe'", "") < 0)
		rc = -1;
	*commits = n;
	*per_second = elapsed > 0 ? (double)n / elapsed : 0;
	return rc;
}
