#!/usr/bin/env python3
"""compile-check.py — compile the embedded C of utap's tapsets as a kernel module.

Wraps every embedded-C function body of tapsets/*.stp in a C function with the
STAP_ARG_/STAP_RETVALUE/STAP_ERROR/CONTEXT conventions of README.md, puts each
file's top-level %{ %} blocks before its functions, and builds the result
against each kernel's headers with W=1 and a stand-in for the runtime helpers
(stubs: they only have to compile). Diagnostics point at the .stp lines.

Usage: compile-check.py [KERNEL-BUILD-DIR ...]
       (default: every /usr/src/linux-headers-*/ that has a Module.symvers)
Exit status 1 when a build fails or reports a warning in tapset code.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TAPSETS = os.path.normpath(os.path.join(HERE, '..', '..', 'tapsets'))

FAKE_RUNTIME = r'''
/* Stand-in for utap's runtime: the helpers of tapsets/README.md, as stubs. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/uaccess.h>
#include <linux/string.h>
#include <linux/cred.h>
#include <linux/ptrace.h>
#include <linux/uidgid.h>

#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif
struct context { char err[256]; char scratch[MAXSTRINGLEN]; struct pt_regs *uregs; };

static inline const char *utap_context_pp(struct context *c) { return "begin"; }
static inline const char *utap_context_pn(struct context *c) { return "begin"; }
static inline bool utap_probe_point_function(const char *pp, const char *part, char *dst, size_t size)
{
	dst[0] = '\0';
	return false;
}
static inline const char *utap_context_probe_type(struct context *c) { return "begin"; }
static inline struct pt_regs *utap_context_uregs(struct context *c) { return c->uregs; }
static inline char *utap_context_scratch(struct context *c) { return c->scratch; }
static inline void utap_abort(struct context *c) { }
static inline void utap_request_exit(void) { }
static inline void utap_output_log(struct context *c, const char *msg) { pr_info("%s\n", msg); }
static inline void utap_output_warn(struct context *c, const char *msg) { pr_warn("%s\n", msg); }
static inline void utap_output_switch_file(struct context *c) { }
static inline void utap_output_system(struct context *c, const char *cmd) { pr_info("%s\n", cmd); }
static inline __printf(2, 3) void utap_error(struct context *c, const char *fmt, ...) { }
static inline long utap_user_read(void *dst, uint64_t uaddr, size_t len)
{
	return copy_from_user_nofault(dst, (const void __user *)(unsigned long)uaddr, len) ? -EFAULT : 0;
}
static inline long utap_user_string(char *dst, uint64_t uaddr, size_t len)
{
	size_t n = 0;
	char ch;

	while (n + 1 < len) {
		if (utap_user_read(&ch, uaddr + n, 1)) {
			dst[0] = '\0';
			return -EFAULT;
		}
		if (!ch)
			break;
		dst[n++] = ch;
	}
	if (len)
		dst[n] = '\0';
	return n;
}
static inline int utap_user_long_size(void) { return sizeof(long); }
static inline long utap_user_write(uint64_t uaddr, const void *src, size_t len)
{
	return copy_to_user_nofault((void __user *)(unsigned long)uaddr, src, len) ? -EFAULT : 0;
}
static inline int utap_regex_group(const struct context *c, char *ret, int64_t n)
{
	ret[0] = '\0';
	return -ENOENT;
}
static inline int utap_regex_ngroups(const struct context *c) { return -ENOENT; }
#ifndef MAXBACKTRACE
#define MAXBACKTRACE 20
#endif
enum utap_sym_form { UTAP_SYM_NAME, UTAP_SYM_DATA, UTAP_SYM_FULL, UTAP_SYM_FULLER, UTAP_SYM_SIMPLE, UTAP_SYM_BRIEF, UTAP_SYM_HEX };
struct utap_ustack { uint64_t pc[MAXBACKTRACE]; unsigned int n; char stop[96]; };
struct utap_uframe { uint64_t pc, sp, fp; };
static inline size_t utap_usym_format(char *dst, size_t size, uint64_t addr, enum utap_sym_form form)
{
	return snprintf(dst, size, "0x%llx", (unsigned long long)addr);
}
enum utap_line_form { UTAP_LINE_FILE, UTAP_LINE_LINE, UTAP_LINE_FILELINE };
static inline size_t utap_usym_line(char *dst, size_t size, uint64_t addr, enum utap_line_form form)
{
	return snprintf(dst, size, "0x%016llx", (unsigned long long)addr);
}
static inline bool utap_ustack_unwind(struct context *c, struct utap_ustack *stack)
{
	stack->n = 0;
	stack->stop[0] = '\0';
	return false;
}
static inline void utap_ustack_print(struct context *c, enum utap_sym_form form) { }
static inline void utap_ustack_print_from(struct context *c, const struct utap_uframe *start,
					  enum utap_sym_form form) { }
static inline size_t utap_ustack_sprint(struct context *c, char *dst, size_t size, enum utap_sym_form form)
{
	dst[0] = '\0';
	return 0;
}
static inline size_t utap_text_escape(char *dst, size_t dstlen, const char *src,
				      size_t srclen, int quoted, int truncated)
{
	strscpy(dst, "\"\"", dstlen);
	return strlen(dst);
}
static inline int64_t utap_target_pid(void) { return 0; }
static inline int64_t utap_stp_pid(void) { return 0; }
static inline kuid_t utap_stp_kuid(void) { return GLOBAL_ROOT_UID; }
static inline int64_t utap_tz_gmtoff(void) { return 0; }
static inline const char *utap_tz_name(void) { return "UTC"; }
static inline uint64_t utap_fp_add(uint64_t a, uint64_t b) { return a; }
static inline uint64_t utap_fp_sub(uint64_t a, uint64_t b) { return a; }
static inline uint64_t utap_fp_mul(uint64_t a, uint64_t b) { return a; }
static inline uint64_t utap_fp_div(uint64_t a, uint64_t b) { return a; }
static inline uint64_t utap_fp_rem(uint64_t a, uint64_t b) { return a; }
static inline uint64_t utap_fp_sqrt(uint64_t a) { return a; }
static inline int utap_fp_eq(uint64_t a, uint64_t b) { return 0; }
static inline int utap_fp_le(uint64_t a, uint64_t b) { return 0; }
static inline int utap_fp_lt(uint64_t a, uint64_t b) { return 0; }
static inline uint64_t utap_fp_from_long(int64_t v) { return 0; }
static inline int64_t utap_fp_to_long(uint64_t a, int64_t mode) { return 0; }
static inline uint64_t utap_fp_from_fp32(uint32_t a) { return 0; }
static inline void utap_fp_to_string(char *buf, size_t len, uint64_t a, int64_t precision)
{
	strscpy(buf, "0.0", len);
}
static inline int utap_fp_from_string(const char *s, uint64_t *result) { return -EINVAL; }
'''

FUNC = re.compile(r'(?m)^(private\s+)?function\s+(\w+)(?::(\w+))?\s*\(([^)]*)\)\s*%\{(.*?)%\}', re.S)
BLOCK = re.compile(r'%\{(.*?)%\}', re.S)


def line_of(text, pos):
    return text.count('\n', 0, pos) + 1


def generate(paths):
    out = ['#include "fake_runtime.h"']
    count = 0
    for path in paths:
        text = open(path).read()
        funcs = list(FUNC.finditer(text))
        spans = [m.span() for m in funcs]
        for m in BLOCK.finditer(text):
            if not any(a <= m.start() < b for a, b in spans):
                out.append('#line %d "%s"\n%s' % (line_of(text, m.start(1)), path, m.group(1)))
        for m in funcs:
            name, rtype, params, body = m.group(2), m.group(3), m.group(4), m.group(5)
            count += 1
            fname = '__tapfn_%d_%s' % (count, name)
            cparams = ['struct context *__c']
            defs = ['#define CONTEXT __c',
                    '#define STAP_ERROR(fmt, ...) do { snprintf(__c->err, sizeof(__c->err), '
                    'fmt, ##__VA_ARGS__); goto __out; } while (0)']
            undefs = ['CONTEXT', 'STAP_ERROR', 'STAP_RETVALUE', 'STAP_RETURN']
            for p in [p.strip() for p in params.split(',') if p.strip()]:
                pname, ptype = [x.strip() for x in p.split(':')]
                cparams.append(('const char *' if ptype == 'string' else 'int64_t ') + '__a_' + pname)
                defs.append('#define STAP_ARG_%s __a_%s' % (pname, pname))
                undefs.append('STAP_ARG_' + pname)
            if rtype == 'string':
                cparams.append('char *__ret')
                defs += ['#define STAP_RETVALUE __ret',
                         '#define STAP_RETURN(v) do { strscpy(__ret, (v), MAXSTRINGLEN); goto __out; } while (0)']
            elif rtype == 'long':
                cparams.append('int64_t *__ret')
                defs += ['#define STAP_RETVALUE (*__ret)',
                         '#define STAP_RETURN(v) do { *__ret = (v); goto __out; } while (0)']
            else:
                defs.append('#define STAP_RETURN() goto __out')
            out.append('\n'.join(defs))
            out.append('void %s(%s);' % (fname, ', '.join(cparams)))
            out.append('noinline void %s(%s)\n{\n#line %d "%s"\n%s\n__out: __attribute__((unused));\n}'
                       % (fname, ', '.join(cparams), line_of(text, m.start(5)), path, body))
            out.append('EXPORT_SYMBOL(%s);' % fname)
            out.append('\n'.join('#undef ' + u for u in undefs))
    out.append('MODULE_LICENSE("GPL");')
    return '\n'.join(out) + '\n', count


def main():
    kdirs = sys.argv[1:] or sorted(d for d in glob.glob('/usr/src/linux-headers-*')
                                   if os.path.exists(os.path.join(d, 'Module.symvers')))
    paths = sorted(glob.glob(os.path.join(TAPSETS, '*.stp')))
    source, count = generate(paths)
    ok = True
    with tempfile.TemporaryDirectory(prefix='utap-tapset-cc.') as tmp:
        open(os.path.join(tmp, 'fake_runtime.h'), 'w').write(FAKE_RUNTIME)
        open(os.path.join(tmp, 'tapcheck.c'), 'w').write(source)
        open(os.path.join(tmp, 'Kbuild'), 'w').write('obj-m := tapcheck.o\n')
        for kdir in kdirs:
            subprocess.run(['make', '-s', '-C', kdir, 'M=' + tmp, 'clean'],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            r = subprocess.run(['make', '-s', '-C', kdir, 'M=' + tmp, 'W=1', 'modules'],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            ours = [l for l in r.stdout.splitlines() if TAPSETS in l]
            status = 'ok' if r.returncode == 0 and not ours else 'FAILED'
            print('%s: %d C functions, %s' % (kdir, count, status))
            if status != 'ok':
                ok = False
                print(r.stdout if r.returncode else '\n'.join(ours))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
