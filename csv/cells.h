/*
 * cells — one cell's text as people and Excel write it, read into the
 * value a record holds: dates and times in Excel's forms, the Chinese
 * words for levels and posting kinds, and, for a count written in words
 * or full-width digits, the number that was meant (to say "write 10, not
 * 十").  Pure functions over NUL-terminated UTF-8; nothing allocates.
 */
#ifndef CJ_CELLS_H
#define CJ_CELLS_H

#include <stddef.h>

/*
 * A date: YYYY-MM-DD, or the year, month and day (one or two digits)
 * separated by / - or . (2026/5/20, 2026-5-20, 2026.5.20) or written
 * 2026年5月20日.  With datetime, a time of day must follow (after a space
 * or a T): H:MM or HH:MM, and :00 seconds are allowed (Excel's 9:00:00);
 * without, a time of 0:00 may follow (Excel's date cell formatted with a
 * time).  out gets the ISO form: "2026-05-20" (11 bytes) or
 * "2026-05-20T09:00" (17 bytes).
 * Returns 0, or -1 with why saying what is wrong in a few words ("there
 * is no 30 February 2026", "a time is needed", "seconds must be 00").
 */
int cell_date(const char *s, int datetime, char out[17], char *why,
    size_t cap);

/*
 * A cell that looks like Excel's day number of a date (a whole number in
 * 20000..80000, as a date column formatted as General shows): the date
 * it stands for in out[11], 1; else 0.
 */
int cell_excel_day(const char *s, char out[11]);

/*
 * The whole number a count cell that is not one meant, when that is
 * clear: full-width digits (１０), thousands separators (1,000 1，000),
 * Chinese numerals (十 二十五 一百零五 两千 二〇二六), mixed (1.5万 5千),
 * a unit after it (10人 10名 10个 5000元 2026届) or 约 before it.
 * 1 with *v, or 0.
 */
int cell_whole_meant(const char *s, long long *v);

/* The same for a decimal (a grade): full-width digits and point. */
int cell_number_meant(const char *s, char *out, size_t cap);

/*
 * The words of an enum field: each value (a school level, a posting
 * kind) with the Chinese words that name it, '|'-separated, the first
 * being what templates and import messages write, and the one word
 * output shows ("全职|就业|正式工" is shown 就业).
 */
struct cell_word {
	const char *value;
	const char *words;
	const char *shown;
};
extern const struct cell_word cell_levels[];        /* ended by NULL value */
extern const struct cell_word cell_posting_kinds[];

/* The value s names in a table of words (the value itself, or one of
 * its words), or NULL. */
const char *cell_word(const struct cell_word *t, const char *s);

/* The word output shows for value v of table t ("中职", "就业"), or NULL
 * when t lacks v. */
const char *cell_word_zh(const struct cell_word *t, const char *v);

/* The length of the first '|'-separated item of s at *p, moving *p
 * past it: 0 at the end.  For walking word lists. */
size_t cell_next_word(const char *s, size_t *p, const char **word);

#endif
