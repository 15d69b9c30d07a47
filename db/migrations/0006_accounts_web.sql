-- Accounts on the web: the first version of the terms of use, which every
-- sign-up accepts (domain/terms.c: the current version is the highest row).
-- Written in French, the language of the territories served today; a new
-- version is a new row, and people accept it at their next log-in. The
-- text starts at level-2 headings: the page around it holds the h1.

INSERT INTO terms (version, body, published_at) VALUES (1,
'*Version 1, en vigueur à partir du 28 novembre 2026.*

## 1. Objet

Cette plateforme permet aux habitants, associations, entreprises sociales et partenaires d’un territoire de partager des besoins et des idées, de les améliorer ensemble et de les faire aboutir en projets. Les présentes conditions fixent les règles que chaque personne accepte en créant un compte.

## 2. Votre compte

- Un compte est personnel. Vous choisissez un mot de passe d’au moins 12 caractères et vous le gardez secret.
- Votre adresse électronique doit être confirmée avant que vous puissiez publier.
- Vous pouvez à tout moment modifier vos informations, télécharger vos données ou supprimer votre compte depuis vos paramètres.

## 3. Vos contributions

- Vous restez l’auteur de ce que vous publiez (besoins, idées, commentaires, suggestions). En le publiant, vous permettez à la plateforme de l’afficher publiquement et à la communauté de l’améliorer et de s’en inspirer.
- Si vous supprimez votre compte, vos contributions restent visibles, mais elles sont attribuées à « participant supprimé » : votre nom n’y apparaît plus.

## 4. Règles de conduite

Vous vous engagez à publier des contenus respectueux des personnes et de la loi. Sont interdits notamment : les propos injurieux, diffamatoires, haineux ou discriminatoires, la publicité non sollicitée, la publication de données personnelles d’autrui et l’usurpation d’identité.

## 5. Modération

L’équipe d’animation du territoire peut masquer, déplacer ou archiver un contenu qui ne respecte pas ces règles, et suspendre un compte en cas d’abus répétés. Chacun peut signaler un contenu qui lui semble contraire à ces règles.

## 6. Données personnelles

Nous conservons seulement ce qui est nécessaire au service : votre adresse électronique, votre nom affiché, votre profil, vos contributions et vos sessions de connexion. Votre adresse électronique n’est jamais affichée publiquement. Conformément au RGPD, vous pouvez consulter, télécharger, rectifier et supprimer vos données depuis vos paramètres, ou en écrivant à l’équipe par la page de contact.

## 7. Responsabilité

La plateforme met en relation des personnes et des partenaires ; elle ne gère aucun argent et ne garantit pas la réussite des projets. Chaque personne reste responsable de ce qu’elle publie et des engagements qu’elle prend.

## 8. Évolution des conditions

Ces conditions peuvent évoluer. Lorsqu’une nouvelle version est publiée, elle vous est présentée à votre prochaine connexion : vous pouvez l’accepter ou supprimer votre compte.
', 1795824000);
