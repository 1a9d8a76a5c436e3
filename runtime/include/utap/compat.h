/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the runtime needs from its environment, in one place: the kernel's
 * headers in a module build, or libc when a runtime file is compiled into a
 * user-space unit test (UTAP_USERSPACE_TEST). Runtime .c files include this
 * (through utap/base.h) and nothing environment-specific of their own, so
 * the same source is what the tests check and what the kernel runs.
 *
 * Differences between kernel versions also go here, decided by
 * LINUX_VERSION_CODE or by a kbuild feature probe (UTAP_HAVE_* from the
 * generated utap_compat_autoconf.h).
 */
#ifndef UTAP_COMPAT_H
#define UTAP_COMPAT_H

#ifdef UTAP_USERSPACE_TEST

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define min_t(type, a, b) ((type)(a) < (type)(b) ? (type)(a) : (type)(b))

/* One "CPU" in user space; tests that need more set this. */
extern unsigned int utap_test_nr_cpus;
#define num_possible_cpus() (utap_test_nr_cpus)
#define smp_processor_id() 0U

static inline void *utap_alloc(size_t size) { return calloc(1, size); }
static inline void utap_free(void *p) { free(p); }

#else /* the kernel */

#include <linux/bitops.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/vmalloc.h>
#include <linux/version.h>

/*
 * Runtime memory is allocated once, at module load, and may be large (maps
 * preallocated to MAXMAPENTRIES): kvzalloc falls back to vmalloc.
 */
static inline void *utap_alloc(size_t size) { return kvzalloc(size, GFP_KERNEL); }
static inline void utap_free(void *p) { kvfree(p); }

#endif /* UTAP_USERSPACE_TEST */

#endif /* UTAP_COMPAT_H */
