// SPDX-License-Identifier: GPL-2.0
/*
 * Layer 2 at a hit: the consumer callbacks of a site. They run in the
 * probed thread, preemptible, inside the kernel's uprobe handler chain
 * (6.1: under the uprobe's register_rwsem; 6.12: under SRCU), so they may
 * sleep, and disarming waits for them.
 */
#include <linux/fs.h>
#include <linux/mm_types.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>

#include "utap/session.h"
#include "utap/tapset_support.h"
#include "../lifecycle/lifecycle.h"
#include "entry_saves.h"
#include "sites.h"

/* Whether @mm runs the file @exe (its executable is that inode). */
static bool mm_runs(struct mm_struct *mm, unsigned int exe)
{
	return utap_ubp_file_runs_in(&utap_uprobes.files[exe], mm);
}

static const struct utap_uprobe_group *group(const struct utap_uprobe_point *p)
{
	return &utap_uprobes.table->groups[p->group];
}

/* The point's link-time address. */
static uint64_t address(const struct utap_uprobe_point *p)
{
	return p->offset + group(p)->bias;
}

/* Whether the current process is one the point's probe names (stapprobes(3stap)). */
static bool process_matches(const struct utap_uprobe_group *g)
{
	if (g->pid && task_tgid_nr(current) != g->pid)
		return false;
	if (g->in_target_tree && !utap_lifecycle_in_target_tree(current))
		return false;
	return g->exe < 0 || mm_runs(current->mm, g->exe);
}

/* Runs @handler (a row's body or its entry part) for this hit of @p: false when skipped. */
static bool run_handler(const struct utap_uprobe_point *p, void (*handler)(struct utap_context *c),
			struct pt_regs *regs, uint64_t load_bias, void *saves)
{
	struct utap_hit hit = {
		.point = NULL, /* utap_uprobe_point_text(), when pp() is asked for */
		.name = group(p)->name,
		.probe_type = group(p)->is_return ? "uretprobe" : "uprobe",
		.max_actions = utap_limits.max_action,
		.handler = handler,
		.uregs = regs,
		.uprobe = p,
		.load_bias = load_bias,
		.entry_saves = saves,
	};

	return utap_run_hit(&hit);
}

/* Runs row @row's body for this hit, and counts it. */
static void run_row(unsigned int row, struct pt_regs *regs, uint64_t load_bias, void *saves)
{
	const struct utap_uprobe_point *p = &utap_uprobes.table->points[row];
	bool ran = run_handler(p, utap_uprobes.table->handlers[group(p)->handler].run, regs, load_bias, saves);

	atomic64_inc(ran ? &utap_uprobes.counts[row].hits : &utap_uprobes.counts[row].skipped);
}

/* An entry record for this hit, keyed by the frame: the stack pointer and the return address there. */
static char *new_record(struct utap_uprobe_site *site, struct pt_regs *regs)
{
	unsigned long sp = user_stack_pointer(regs), ret = 0;

	if (utap_user_read(&ret, sp, sizeof(ret)))
		ret = 0;
	return utap_entry_save_new(site, sp, ret);
}

static int site_hit(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct utap_uprobe_site *site = container_of(uc, struct utap_uprobe_site, bp.consumer);
	const struct utap_uprobe_table *t = utap_uprobes.table;
	char *record = NULL;
	unsigned int i;

	if (!utap_session_running())
		return 0;
	for (i = 0; i < site->nrows; i++) {
		unsigned int row = site->rows[i];
		const struct utap_uprobe_point *p = &t->points[row];
		const struct utap_uprobe_group *g = group(p);
		const struct utap_uprobe_handler *h = &t->handlers[g->handler];
		uint64_t bias = instruction_pointer(regs) - address(p);
		struct utap_entry_slice *slice;

		if (g->is_return && !h->save_entry)
			continue;
		if (!process_matches(g)) {
			if (!g->is_return)
				atomic64_inc(&utap_uprobes.counts[row].filtered);
			continue;
		}
		if (!g->is_return) {
			run_row(row, regs, bias, NULL);
			continue;
		}
		/* A .return's entry: save what its handler will read. A missing record is counted at the return. */
		if (!record)
			record = new_record(site, regs);
		if (!record)
			continue;
		slice = (struct utap_entry_slice *)(record + utap_uprobes.save_offsets[row]);
		slice->saved = run_handler(p, h->save_entry, regs, bias, slice->saves);
	}
	return 0;
}

static int site_return(struct uprobe_consumer *uc, unsigned long func, struct pt_regs *regs)
{
	struct utap_uprobe_site *site = container_of(uc, struct utap_uprobe_site, bp.consumer);
	const struct utap_uprobe_table *t = utap_uprobes.table;
	char *record = NULL;
	unsigned int i;

	if (!utap_session_running())
		return 0;
	/* The return popped the return address the entry's stack pointer pointed at. */
	if (site->saves_size)
		record = utap_entry_save_take(site, user_stack_pointer(regs) - sizeof(long));
	for (i = 0; i < site->nrows; i++) {
		unsigned int row = site->rows[i];
		const struct utap_uprobe_point *p = &t->points[row];
		const struct utap_uprobe_group *g = group(p);
		const struct utap_uprobe_handler *h = &t->handlers[g->handler];
		struct utap_entry_slice *slice = NULL;

		if (!g->is_return)
			continue;
		if (!process_matches(g)) {
			atomic64_inc(&utap_uprobes.counts[row].filtered);
			continue;
		}
		if (h->save_entry) {
			slice = record ? (struct utap_entry_slice *)(record + utap_uprobes.save_offsets[row]) : NULL;
			if (!slice || !slice->saved) {
				atomic64_inc(&utap_uprobes.counts[row].skipped);
				atomic64_inc(&utap_uprobes.missed);
				continue;
			}
		}
		run_row(row, regs, func - address(p), slice ? slice->saves : NULL);
	}
	utap_entry_save_put(record);
	return 0;
}

/*
 * Only for sites whose every row names the process by its executable
 * (.library points under process("PATH")): the breakpoint then goes only
 * into the processes that run it, and others never trap.
 */
static UTAP_UPROBE_FILTER(site_filter, uc, mm)
{
	struct utap_uprobe_site *site = container_of(uc, struct utap_uprobe_site, bp.consumer);
	unsigned int i;

	for (i = 0; i < site->nrows; i++)
		if (mm_runs(mm, group(&utap_uprobes.table->points[site->rows[i]])->exe))
			return true;
	return false;
}

void utap_uprobe_site_setup(struct utap_uprobe_site *site)
{
	const struct utap_uprobe_table *t = utap_uprobes.table;
	bool entries = false, returns = false, all_by_exe = true;
	unsigned int i;

	for (i = 0; i < site->nrows; i++) {
		const struct utap_uprobe_group *g = group(&t->points[site->rows[i]]);

		if (g->is_return)
			returns = true;
		if (!g->is_return || t->handlers[g->handler].save_entry)
			entries = true;
		if (g->exe < 0)
			all_by_exe = false;
	}
	/* No ret_handler unless needed: with one, every hit prepares a return instance. */
	site->bp.consumer.handler = entries ? site_hit : NULL;
	site->bp.consumer.ret_handler = returns ? site_return : NULL;
	site->bp.consumer.filter = all_by_exe ? site_filter : NULL;
}

/* The unwinder is about to walk the stack, or a C++ catch begins (ubp.h). */
static int hook_hit(struct uprobe_consumer *uc, struct pt_regs *regs)
{
	struct utap_uprobe_hook_site *h = container_of(uc, struct utap_uprobe_hook_site, bp.consumer);

	if (h->hook->exe >= 0 && !mm_runs(current->mm, h->hook->exe))
		return 0;
	if (h->hook->kind == UTAP_HOOK_UNWIND)
		utap_ubp_unhijack_returns();
	else
		utap_ubp_rehijack_returns(user_stack_pointer(regs));
	return 0;
}

static UTAP_UPROBE_FILTER(hook_filter, uc, mm)
{
	struct utap_uprobe_hook_site *h = container_of(uc, struct utap_uprobe_hook_site, bp.consumer);

	return mm_runs(mm, h->hook->exe);
}

void utap_uprobe_hook_setup(struct utap_uprobe_hook_site *h)
{
	h->bp.consumer.handler = hook_hit;
	h->bp.consumer.filter = h->hook->exe >= 0 ? hook_filter : NULL;
}
