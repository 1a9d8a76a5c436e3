// SPDX-License-Identifier: GPL-2.0
/*
 * procfs probes: the files /proc/systemtap/MODULE/PATH (stap's place for
 * them, so that scripts and people find them where stap puts them).
 *
 * A read of a file runs its read probe once per open file, at the first
 * read, into a buffer of MAXSIZE bytes the reader then reads like any file.
 * A write runs the file's write probes, in script order, on each piece of
 * up to MAXSTRINGLEN - 1 bytes it brings; on "__stdin" (input.char and
 * input.line, fed by utaprun) on each character. Handlers run in the
 * reader's or writer's task, which may sleep: the file operations run in
 * process context.
 *
 * "systemtap" is shared with other modules (stap's too): it is made when
 * missing and removed, at unload, when it is empty. /proc must be procfs
 * where the module is loaded, so that these checks see the real directory
 * (proc_mkdir() of an existing name is a kernel warning).
 */
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/namei.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "utap/procfs.h"
#include "utap/transport.h"
#include "procfs.h"

#define PROCFS_ROOT "systemtap"
#define PROCFS_STDIN "__stdin"

/**
 * struct procfs_file - one file and the probes that share it
 * @path: relative to the module's directory
 * @mode: the permissions all its probes ask for together
 * @reader: its read probe, or NULL
 * @writers: its write probes, in script order (@nwriters)
 * @per_char: write probes run on each character ("__stdin")
 */
struct procfs_file {
	const char *path;
	umode_t mode;
	const struct utap_probe *reader;
	const struct utap_probe **writers;
	unsigned int nwriters;
	bool per_char;
};

/*
 * Built by utap_procfs_start() before any file exists and freed by
 * utap_procfs_stop() after the files are gone (remove_proc_subtree()
 * waits for the file operations in progress): read-only in between, so
 * the file operations take no lock for it.
 */
static struct {
	struct procfs_file *files;
	unsigned int nfiles;
	const struct utap_probe **writers;
	char dir[sizeof(PROCFS_ROOT) + MODULE_NAME_LEN]; /* "systemtap/MODULE" */
	bool made;                                        /* dir exists */
	bool used;                                        /* the script has procfs probes */
	atomic64_t cut;
} procfs;

/**
 * struct procfs_reading - an open file's text for its reader
 * @lock: serializes the reads of one open file (the first one fills @value)
 * @filled: the read probe has run
 * @value: the text, in @text
 */
struct procfs_reading {
	struct mutex lock;
	bool filled;
	struct utap_procfs_value value;
	char text[];
};

const char *utap_procfs_value(struct utap_context *c)
{
	return c->procfs ? c->procfs->text : "";
}

static void procfs_put(struct utap_context *c, const char *s, bool append)
{
	struct utap_procfs_value *v = c->procfs;
	size_t len = strlen(s), room;

	if (!v)
		return;
	if (!append)
		v->len = 0;
	room = v->size - v->len;
	if (len > room) {
		v->cut += len - room;
		len = room;
	}
	memcpy(v->text + v->len, s, len);
	v->len += len;
	v->text[v->len] = '\0';
}

void utap_procfs_set(struct utap_context *c, const char *s)
{
	procfs_put(c, s, false);
}

void utap_procfs_append(struct utap_context *c, const char *s)
{
	procfs_put(c, s, true);
}

static void run_probe(const struct utap_probe *p, struct utap_procfs_value *value)
{
	struct utap_hit hit = {
		.point = p->point,
		.name = p->name,
		.probe_type = "procfs",
		.max_actions = utap_limits.max_action_interruptible,
		.handler = p->handler,
		.procfs = value,
	};

	utap_run_hit(&hit);
}

static int procfs_open(struct inode *inode, struct file *filp)
{
	const struct procfs_file *f = pde_data(inode);
	struct procfs_reading *r;

	if (!(filp->f_mode & FMODE_READ) || !f->reader)
		return 0;
	r = kvzalloc(sizeof(*r) + f->reader->procfs.bufsize + 1, GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	mutex_init(&r->lock);
	r->value.text = r->text;
	r->value.size = f->reader->procfs.bufsize;
	filp->private_data = r;
	return 0;
}

static int procfs_release(struct inode *inode, struct file *filp)
{
	kvfree(filp->private_data);
	return 0;
}

static ssize_t procfs_read(struct file *filp, char __user *buf, size_t count, loff_t *ppos)
{
	const struct procfs_file *f = pde_data(file_inode(filp));
	struct procfs_reading *r = filp->private_data;
	ssize_t ret;

	if (!r)
		return -EINVAL; /* root opened a write-only file for reading */
	if (mutex_lock_interruptible(&r->lock))
		return -ERESTARTSYS;
	if (!r->filled) {
		r->filled = true;
		if (utap_session_running())
			run_probe(f->reader, &r->value);
		if (r->value.cut)
			atomic64_add(r->value.cut, &procfs.cut);
	}
	ret = simple_read_from_buffer(buf, count, ppos, r->text, r->value.len);
	mutex_unlock(&r->lock);
	return ret;
}

/* Runs @f's write probes on @text, once or once per character. */
static void run_writers(const struct procfs_file *f, char *text, size_t len)
{
	struct utap_procfs_value value;
	char one[2] = "";
	size_t at = 0;
	unsigned int i;

	do {
		value.text = text;
		value.len = len;
		if (f->per_char) {
			one[0] = text[at];
			value.text = one;
			value.len = one[0] ? 1 : 0;
		}
		value.size = value.len;
		value.cut = 0;
		for (i = 0; i < f->nwriters && utap_session_running(); i++)
			run_probe(f->writers[i], &value);
	} while (f->per_char && ++at < len && utap_session_running());
}

static ssize_t procfs_write(struct file *filp, const char __user *buf, size_t count, loff_t *ppos)
{
	const struct procfs_file *f = pde_data(file_inode(filp));
	size_t done = 0;
	ssize_t ret;
	char *chunk;

	if (!f->nwriters)
		return -EINVAL; /* root opened a read-only file for writing */
	chunk = kmalloc(MAXSTRINGLEN, GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	while (done < count && utap_session_running() && !fatal_signal_pending(current)) {
		size_t n = min_t(size_t, count - done, MAXSTRINGLEN - 1);

		if (copy_from_user(chunk, buf + done, n)) {
			ret = done ? done : -EFAULT;
			goto out;
		}
		chunk[n] = '\0';
		run_writers(f, chunk, n);
		done += n;
		cond_resched();
	}
	/* The session has ended: what was not taken is an error for the writer. */
	ret = done ? done : -EIO;
out:
	kfree(chunk);
	return ret;
}

static const struct proc_ops procfs_ops = {
	.proc_open = procfs_open,
	.proc_read = procfs_read,
	.proc_write = procfs_write,
	.proc_lseek = default_llseek,
	.proc_release = procfs_release,
};

static bool is_procfs(const struct utap_probe *p)
{
	return p->kind == UTAP_PROBE_PROCFS_READ || p->kind == UTAP_PROBE_PROCFS_WRITE;
}

/* One procfs_file per path, with its probes; false when out of memory. */
static bool gather_files(const struct utap_script *s, unsigned int count)
{
	unsigned int i, j, k;

	procfs.files = kcalloc(count, sizeof(*procfs.files), GFP_KERNEL);
	procfs.writers = kcalloc(count, sizeof(*procfs.writers), GFP_KERNEL);
	if (!procfs.files || !procfs.writers)
		return false;
	for (i = 0; i < s->nprobes; i++) {
		const struct utap_probe *p = &s->probes[i];
		struct procfs_file *f = NULL;

		if (!is_procfs(p))
			continue;
		for (j = 0; j < procfs.nfiles && !f; j++)
			if (!strcmp(procfs.files[j].path, p->procfs.path))
				f = &procfs.files[j];
		if (f)
			continue;
		f = &procfs.files[procfs.nfiles++];
		f->path = p->procfs.path;
		f->per_char = !strcmp(f->path, PROCFS_STDIN);
	}
	/* Writers of each file next to each other, files in order. */
	k = 0;
	for (j = 0; j < procfs.nfiles; j++) {
		struct procfs_file *f = &procfs.files[j];

		f->writers = procfs.writers + k;
		for (i = 0; i < s->nprobes; i++) {
			const struct utap_probe *p = &s->probes[i];

			if (!is_procfs(p) || strcmp(p->procfs.path, f->path))
				continue;
			f->mode |= p->procfs.mode;
			if (p->kind == UTAP_PROBE_PROCFS_READ)
				f->reader = p; /* pass 2 allows one */
			else
				f->writers[f->nwriters++] = p;
		}
		k += f->nwriters;
	}
	return true;
}

/* Whether @name exists; -ENOENT when /proc is not procfs here. */
static int procfs_exists(const char *name, bool *exists)
{
	struct path path;
	int err;

	err = kern_path("/proc", LOOKUP_FOLLOW, &path);
	if (err)
		return -ENOENT;
	err = path.dentry->d_sb->s_magic == PROC_SUPER_MAGIC ? 0 : -ENOENT;
	path_put(&path);
	if (err)
		return err;
	*exists = !kern_path(name, LOOKUP_FOLLOW, &path);
	if (*exists)
		path_put(&path);
	return 0;
}

/* Whether an earlier file than @index made directory @path[0..len). */
static bool dir_made(unsigned int index, const char *path, size_t len)
{
	unsigned int j;

	for (j = 0; j < index; j++)
		if (!strncmp(procfs.files[j].path, path, len) && procfs.files[j].path[len] == '/')
			return true;
	return false;
}

/* Makes @index's file and the directories its path needs. */
static int make_file(struct proc_dir_entry *dir, unsigned int index)
{
	struct procfs_file *f = &procfs.files[index];
	const char *slash;

	for (slash = strchr(f->path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t len = slash - f->path;
		char *sub;

		if (dir_made(index, f->path, len))
			continue;
		sub = kstrndup(f->path, len, GFP_KERNEL);
		if (!sub)
			return -ENOMEM;
		if (!proc_mkdir(sub, dir)) {
			kfree(sub);
			return -EEXIST;
		}
		kfree(sub);
	}
	return proc_create_data(f->path, f->mode, dir, &procfs_ops, f) ? 0 : -EEXIST;
}

/**
 * utap_procfs_start() - make the files of the script's procfs probes
 * @script: the script
 *
 * Context: process (module load, in the loader's task).
 * Return: 0, or a negative errno after reporting the script's error.
 */
int utap_procfs_start(const struct utap_script *script)
{
	struct proc_dir_entry *dir;
	unsigned int i, count = 0;
	bool exists = false;
	int err;

	for (i = 0; i < script->nprobes; i++)
		count += is_procfs(&script->probes[i]);
	if (!count)
		return 0;
	procfs.used = true;
	if (!gather_files(script, count)) {
		utap_transport_printf(UTAP_RECORD_ERROR, "ERROR: procfs probes: out of memory\n");
		err = -ENOMEM;
		goto fail;
	}
	err = procfs_exists("/proc/" PROCFS_ROOT, &exists);
	if (err) {
		utap_transport_printf(UTAP_RECORD_ERROR, "ERROR: procfs probes need /proc mounted (procfs) where the module is loaded\n");
		goto fail;
	}
	/* A racing module may make it first: it is there either way. */
	if (!exists)
		proc_mkdir(PROCFS_ROOT, NULL);
	snprintf(procfs.dir, sizeof(procfs.dir), PROCFS_ROOT "/%s", THIS_MODULE->name);
	dir = proc_mkdir(procfs.dir, NULL);
	if (!dir) {
		utap_transport_printf(UTAP_RECORD_ERROR, "ERROR: cannot create /proc/%s\n", procfs.dir);
		err = -EEXIST;
		goto fail;
	}
	procfs.made = true;
	for (i = 0; i < procfs.nfiles; i++) {
		err = make_file(dir, i);
		if (err) {
			utap_transport_printf(UTAP_RECORD_ERROR, "ERROR: cannot create /proc/%s/%s (%d)\n", procfs.dir, procfs.files[i].path, err);
			goto fail;
		}
	}
	return 0;

fail:
	utap_procfs_stop();
	return err;
}

/**
 * utap_procfs_stop() - remove the files; no handler of theirs runs after
 *
 * Context: process. Waits for the file operations in progress.
 */
void utap_procfs_stop(void)
{
	if (procfs.made)
		remove_proc_subtree(procfs.dir, NULL);
	procfs.made = false;
	kfree(procfs.files);
	kfree(procfs.writers);
	procfs.files = NULL;
	procfs.writers = NULL;
	procfs.nfiles = 0;
}

struct count_entries {
	struct dir_context ctx;
	unsigned int entries;
};

static bool count_entry(struct dir_context *ctx, const char *name, int len, loff_t pos, u64 ino,
			unsigned int type)
{
	struct count_entries *count = container_of(ctx, struct count_entries, ctx);

	if (!(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.'))
		count->entries++;
	return true;
}

/**
 * utap_procfs_free() - remove /proc/systemtap when no module uses it
 *
 * Context: process, module unload (in the loader's task, whose /proc is
 * the one the directory was found in).
 */
void utap_procfs_free(void)
{
	struct count_entries count = { .ctx.actor = count_entry };
	struct file *root;
	bool exists = false;
	int err;

	utap_procfs_stop();
	if (!procfs.used || procfs_exists("/proc/" PROCFS_ROOT, &exists) || !exists)
		return;
	root = filp_open("/proc/" PROCFS_ROOT, O_RDONLY | O_DIRECTORY, 0);
	if (IS_ERR(root))
		return;
	err = iterate_dir(root, &count.ctx);
	filp_close(root, NULL);
	if (!err && !count.entries)
		remove_proc_entry(PROCFS_ROOT, NULL);
}

uint64_t utap_procfs_cut(void)
{
	return atomic64_read(&procfs.cut);
}
