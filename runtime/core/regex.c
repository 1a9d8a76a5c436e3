// SPDX-License-Identifier: GPL-2.0
/*
 * The regex matcher: a Pike VM over the programs pass 3 compiles (the
 * instructions are described in utap/regex.h).
 *
 * Threads live in two lists, the current step's and the next one's, each in
 * priority order; a thread is a program counter and its slots. Following
 * splits, jumps, saves and assertions from a thread (its closure) uses an
 * explicit stack, and a mark per instruction and step keeps one thread per
 * instruction (the first to get there, which has the higher priority), so a
 * step costs at most one visit per instruction.
 *
 * A new thread starts at each position until something matched; a match
 * replaces the best so far when it starts earlier, or starts at the same
 * place and ends later (leftmost, then longest).
 */
#include "utap/regex.h"

#include "utap/strings.h"

/* A closure stack entry: explore @pc, or (@pc == RESTORE) put @value back in @slot. */
struct utap_regex_frame {
	uint16_t pc;
	uint16_t slot;
	int32_t value;
};

#define RESTORE 0xffff

struct utap_regex_list {
	unsigned int count;
	uint16_t *pcs;
	int32_t *slots; /* nslots per thread */
};

struct utap_regex_vm {
	const struct utap_regex *re;
	size_t len;
	unsigned int nslots;
	int32_t *caps; /* the slots of the thread being followed */
	struct utap_regex_frame *stack;
	uint32_t *marks; /* per instruction: the step + 1 that last visited it */
};

static bool utap_regex_in_class(const uint8_t *class, unsigned char b)
{
	return class[b >> 3] & (1u << (b & 7));
}

/*
 * Adds the threads reachable from @pc without consuming a byte, at @pos, to
 * @list, in priority order; vm->caps are the slots on the way and are as
 * they were when this returns.
 */
static void utap_regex_follow(struct utap_regex_vm *vm, struct utap_regex_list *list,
			      uint16_t pc, size_t pos, uint32_t mark)
{
	const struct utap_regex_insn *insns = vm->re->insns;
	unsigned int sp = 0;

	vm->stack[sp++] = (struct utap_regex_frame){ .pc = pc };
	while (sp) {
		struct utap_regex_frame f = vm->stack[--sp];

		if (f.pc == RESTORE) {
			vm->caps[f.slot] = f.value;
			continue;
		}
		for (pc = f.pc; vm->marks[pc] != mark;) {
			const struct utap_regex_insn *in = &insns[pc];

			vm->marks[pc] = mark;
			if (in->op == UTAP_RE_JUMP) {
				pc = in->x;
			} else if (in->op == UTAP_RE_SPLIT) {
				vm->stack[sp++] = (struct utap_regex_frame){ .pc = in->y };
				pc = in->x;
			} else if (in->op == UTAP_RE_SAVE) {
				vm->stack[sp++] = (struct utap_regex_frame){
					.pc = RESTORE, .slot = in->x, .value = vm->caps[in->x]
				};
				vm->caps[in->x] = (int32_t)pos;
				pc++;
			} else if (in->op == UTAP_RE_LINE_START || in->op == UTAP_RE_LINE_END) {
				if (pos != (in->op == UTAP_RE_LINE_START ? 0 : vm->len))
					break;
				pc++;
			} else {
				/* consumes or matches: a thread waits here */
				list->pcs[list->count] = pc;
				memcpy(&list->slots[list->count * vm->nslots], vm->caps,
				       vm->nslots * sizeof(int32_t));
				list->count++;
				break;
			}
		}
	}
}

static bool utap_regex_consumes(const struct utap_regex *re, const struct utap_regex_insn *in,
				unsigned char b)
{
	switch (in->op) {
	case UTAP_RE_BYTE:
		return in->byte == b;
	case UTAP_RE_CLASS:
		return utap_regex_in_class(re->classes[in->x], b);
	case UTAP_RE_ANY:
		return true;
	default:
		return false;
	}
}

bool utap_regex_exec(const struct utap_regex *re, const char *subject,
		     size_t len, void *work, int32_t *spans)
{
	unsigned int nslots = 2 * re->ngroups, nthreads = re->nthreads;
	struct utap_regex_list lists[2], *cur = &lists[0], *next = &lists[1], *swap;
	struct utap_regex_vm vm = {
		.re = re, .len = len, .nslots = nslots,
	};
	int32_t *slots = work;
	bool found = false;
	size_t pos;
	unsigned int i;

	/* the layout UTAP_REGEX_WORK_SIZE counts, 4-byte items first */
	lists[0].slots = slots;
	lists[1].slots = slots + nthreads * nslots;
	vm.caps = slots + 2 * nthreads * nslots;
	vm.stack = (struct utap_regex_frame *)(vm.caps + nslots);
	vm.marks = (uint32_t *)(vm.stack + re->ninsns + 1);
	lists[0].pcs = (uint16_t *)(vm.marks + re->ninsns);
	lists[1].pcs = lists[0].pcs + nthreads;
	memset(vm.marks, 0, re->ninsns * sizeof(uint32_t));
	lists[0].count = 0;

	for (pos = 0;; pos++) {
		uint32_t mark = (uint32_t)pos + 1;

		/* A thread starting here has the lowest priority of this step. */
		if (!found && (pos == 0 || !re->anchored)) {
			for (i = 0; i < nslots; i++)
				vm.caps[i] = -1;
			utap_regex_follow(&vm, cur, 0, pos, mark);
		}
		next->count = 0;
		for (i = 0; i < cur->count; i++) {
			const struct utap_regex_insn *in = &re->insns[cur->pcs[i]];
			int32_t *t = &cur->slots[i * nslots];

			/* leftmost: a thread that started after the best match cannot win */
			if (found && t[0] > spans[0])
				break;
			if (in->op == UTAP_RE_MATCH) {
				if (!found || t[0] < spans[0] || t[1] > spans[1])
					memcpy(spans, t, nslots * sizeof(int32_t));
				found = true;
				continue;
			}
			if (pos < len && utap_regex_consumes(re, in, (unsigned char)subject[pos])) {
				memcpy(vm.caps, t, nslots * sizeof(int32_t));
				utap_regex_follow(&vm, next, cur->pcs[i] + 1, pos + 1, mark + 1);
			}
		}
		/* No thread left: done, unless a later start may still match. */
		if (pos >= len || (!next->count && (found || re->anchored)))
			break;
		swap = cur;
		cur = next;
		next = swap;
	}
	return found;
}

int64_t utap_regex_match(struct utap_context *c, const struct utap_regex *re,
			 const char *subject)
{
	struct utap_regex_match *m = &c->last_match;
	size_t need = UTAP_REGEX_WORK_SIZE(re->ninsns, re->nthreads, re->ngroups);

	/* Pass 3 sizes the frames area for every regex; this is a guard. */
	if (need > c->frames_size - c->frames_used ||
	    re->ngroups > UTAP_REGEX_MAX_GROUPS) {
		utap_error(c, "regex '%s' needs %zu bytes of scratch memory, %zu are left",
			   re->pattern, need, c->frames_size - c->frames_used);
		m->matched = false;
		return 0;
	}
	/* A copy: matched() reads it after the subject's variable may change. */
	utap_string_copy(m->subject, subject);
	m->ngroups = re->ngroups;
	m->matched = utap_regex_exec(re, m->subject, strlen(m->subject),
				     c->frames + c->frames_used, m->spans);
	return m->matched;
}

int utap_regex_group(const struct utap_context *c, char *ret, int64_t n)
{
	const struct utap_regex_match *m = &c->last_match;
	int32_t start, end;

	ret[0] = '\0';
	if (!m->matched)
		return -ENOENT;
	if (n < 0 || n >= m->ngroups)
		return -ERANGE;
	start = m->spans[2 * n];
	end = m->spans[2 * n + 1];
	/* a group that took no part in the match is "" */
	if (start >= 0 && end >= start) {
		memcpy(ret, m->subject + start, end - start);
		ret[end - start] = '\0';
	}
	return 0;
}

int utap_regex_ngroups(const struct utap_context *c)
{
	return c->last_match.matched ? (int)c->last_match.ngroups : -ENOENT;
}
