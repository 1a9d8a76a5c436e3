/*
 * wordfreq FILE... - the target program of utap's examples: counts the
 * words of text files in a hash table and prints the five most frequent.
 * Small, but with what the examples look at: a call tree a few levels deep,
 * a function that is called often (next_word), allocations from several
 * places, a qsort() callback, and a variable that changes at one line.
 *
 * Built with -O0 -g by examples/CMakeLists.txt into build/examples/.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *word;
	long count;
	struct entry *next;
};

struct table {
	struct entry **buckets;
	size_t nbuckets;
	size_t nwords;
};

static unsigned long hash(const char *word)
{
	unsigned long h = 5381;

	while (*word)
		h = h * 33 + (unsigned char)*word++;
	return h;
}

static struct entry *lookup(struct table *t, const char *word)
{
	struct entry *e;

	for (e = t->buckets[hash(word) % t->nbuckets]; e; e = e->next)
		if (!strcmp(e->word, word))
			return e;
	return NULL;
}

static void grow(struct table *t)
{
	size_t n = t->nbuckets * 2, i;
	struct entry **buckets = calloc(n, sizeof(*buckets));

	for (i = 0; i < t->nbuckets; i++) {
		struct entry *e = t->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = buckets[hash(e->word) % n];
			buckets[hash(e->word) % n] = e;
		}
	}
	free(t->buckets);
	t->buckets = buckets;
	t->nbuckets = n;
}

static void count_word(struct table *t, const char *word)
{
	struct entry *e = lookup(t, word);

	if (!e) {
		e = malloc(sizeof(*e));
		e->word = strdup(word);
		e->count = 0;
		e->next = t->buckets[hash(word) % t->nbuckets];
		t->buckets[hash(word) % t->nbuckets] = e;
		if (++t->nwords > t->nbuckets)
			grow(t);
	}
	e->count++; /* examples/watch_line.stp watches e->count after this line */
}

/* The next word of *text, lower-cased, in word[size]; 0 at the end. */
static int next_word(const char **text, char *word, size_t size)
{
	const char *p = *text;
	size_t n = 0;

	while (*p && !isalpha((unsigned char)*p))
		p++;
	while (*p && (isalpha((unsigned char)*p) || *p == '\'')) {
		if (n + 1 < size)
			word[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	word[n] = '\0';
	*text = p;
	return n > 0;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	size_t size = 0, cap = 4096, n;
	char *text;

	if (!f)
		return NULL;
	text = malloc(cap);
	while ((n = fread(text + size, 1, cap - size - 1, f)) > 0) {
		size += n;
		if (cap - size - 1 == 0)
			text = realloc(text, cap *= 2);
	}
	text[size] = '\0';
	fclose(f);
	return text;
}

static int by_count(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->word, y->word);
}

static void print_top(struct table *t, size_t top)
{
	struct entry **all = malloc(t->nwords * sizeof(*all));
	size_t i, n = 0;

	for (i = 0; i < t->nbuckets; i++)
		for (struct entry *e = t->buckets[i]; e; e = e->next)
			all[n++] = e;
	qsort(all, n, sizeof(*all), by_count);
	for (i = 0; i < n && i < top; i++)
		printf("%-12s %ld\n", all[i]->word, all[i]->count);
	free(all);
}

int main(int argc, char **argv)
{
	struct table t = { calloc(16, sizeof(struct entry *)), 16, 0 };
	char word[64];

	if (argc < 2) {
		fprintf(stderr, "usage: wordfreq FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		char *text = read_file(argv[i]);
		const char *p = text;

		if (!text) {
			perror(argv[i]);
			return 1;
		}
		while (next_word(&p, word, sizeof(word)))
			count_word(&t, word);
		free(text);
	}
	print_top(&t, 5);
	return 0;
}
