/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the tapsets' embedded C calls (the contract is in tapsets/README.md):
 * the probe's context, output at once, user memory without faulting, and
 * facts about the utap process the loader passes as module parameters.
 */
#ifndef UTAP_TAPSET_SUPPORT_H
#define UTAP_TAPSET_SUPPORT_H

#include <linux/uidgid.h>

#include "utap/base.h"

const char *utap_context_pp(struct utap_context *c);
/*
 * pn(): the probe point as the script wrote it where that named a probe
 * alias ("myalias", "outer.call"; wildcards in the alias name resolved),
 * else the same as utap_context_pp(). Never NULL.
 */
const char *utap_context_pn(struct utap_context *c);
/*
 * The function named in @pp after @part (".function(\"" or
 * ".statement(\""), without "@file:line", into @dst (@size bytes). The
 * empty string and false when @pp has no such part or it names no function
 * (a .statement of an address).
 */
bool utap_probe_point_function(const char *pp, const char *part, char *dst, size_t size);
const char *utap_context_probe_type(struct utap_context *c);
struct pt_regs *utap_context_uregs(struct utap_context *c);
char *utap_context_scratch(struct utap_context *c);
void utap_abort(struct utap_context *c);
void utap_output_log(struct utap_context *c, const char *msg);
void utap_output_warn(struct utap_context *c, const char *msg);
/* The output so far to the current -o file, what follows to the next one. */
void utap_output_switch_file(struct utap_context *c);
/*
 * What system() does: send @cmd to utaprun, which runs it with /bin/sh -c
 * in the background once it has written the output before it (the
 * handler's so far included); its output goes where the script's does.
 */
void utap_output_system(struct utap_context *c, const char *cmd);
long utap_user_read(void *dst, uint64_t uaddr, size_t len);
long utap_user_string(char *dst, uint64_t uaddr, size_t len);
long utap_user_write(uint64_t uaddr, const void *src, size_t len);
int utap_user_long_size(void);
/* The bytes a printf %m (kernel) or %#m (user) conversion shows. */
int64_t utap_memory_read(struct utap_context *c, void *dst, int64_t addr,
			 int64_t len, bool user);
int64_t utap_target_pid(void);
/* -c: target() is a process that has yet to exec the command. */
bool utap_target_awaits_exec(void);
int64_t utap_stp_pid(void);
kuid_t utap_stp_kuid(void);
int64_t utap_tz_gmtoff(void);
const char *utap_tz_name(void);

/* The handler's output so far, committed now (log() keeps the order). */
void utap_output_flush(struct utap_context *c);

#endif /* UTAP_TAPSET_SUPPORT_H */
