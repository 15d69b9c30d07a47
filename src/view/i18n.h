/*
 * Translations. Messages are written in English in the code and templates;
 * po/fr.po and po/en.po are compiled by msgfmt into .mo files, which this
 * module reads at start-up. It does not go through glibc's gettext(), whose
 * language is a per-process setting that also needs the system locale to be
 * installed: here the language is chosen per request.
 */
#ifndef VIEW_I18N_H
#define VIEW_I18N_H

/*
 * Load dir/LANG.mo for every language offered (e.g. build/locale). All or
 * nothing: 0, or -1 (logged) if a file is missing, truncated or corrupt, and
 * then the catalogues loaded before stay. Call at start-up, before threads
 * look messages up; lookups afterwards are lock-free reads.
 */
int i18n_load(const char *dir);
/* Forget every catalogue (not while other threads look messages up). */
void i18n_free(void);
/*
 * msgid translated into lang, or msgid itself (unknown language, message
 * not in the catalogue or translated as empty). Plural entries give their
 * first form; msgctxt entries are not used. Never NULL; the result lives
 * until i18n_free() or as long as msgid.
 */
const char *i18n_gettext(const char *lang, const char *msgid);
/* 1 if lang is a language the site offers ("fr", "en"). */
int i18n_supported(const char *lang);
/* The default language: "fr". */
const char *i18n_default(void);

#endif
