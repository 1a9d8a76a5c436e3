// SPDX-License-Identifier: GPL-2.0
/*
 * An address as stap writes it (runtime/sym.c's _STP_SYM_* forms): the
 * symbol, its offset and size, and the file; the file and the offset in
 * its mapping when no symbol of ours covers it; the bare address when no
 * file is mapped there. The fuller form adds the source file and line
 * from the line tables, at the address itself (a caller's frame shows the
 * line of its return address, as stap's; gdb shows the call's).
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "place.h"

/**
 * fuller() - an address in stap's _STP_SYM_FULLER form
 * @dst: where to write (always terminated)
 * @size: the size of @dst
 * @a: the address
 * @name: its symbol, or NULL
 * @off: the offset in the symbol (in the mapping without one)
 * @len: the symbol's size (the mapping's without one)
 * @path: the mapped file, or NULL
 * @src: the source file from the line table, or NULL
 * @line: the source line, when @src is set
 *
 * _STP_SYM_FULL with " at FILE:LINE" after the symbol, or after the
 * bracketed file where no symbol covers the address; without a line, the
 * same as _STP_SYM_FULL. utap's rows always have both a file and a line,
 * so stap's "at FILE" without a line never occurs.
 *
 * Return: what snprintf() returns.
 */
static int fuller(char *dst, size_t size, unsigned long long a, const char *name, unsigned long long off,
		  unsigned long long len, const char *path, const char *src, unsigned int line)
{
	int n;

	if (name && path && src)
		n = snprintf(dst, size, " 0x%016llx : %s+%#llx/%#llx at %s:%u [%s]\n", a, name, off, len, src, line, path);
	else if (name && src)
		n = snprintf(dst, size, " 0x%016llx : %s+%#llx/%#llx at %s:%u\n", a, name, off, len, src, line);
	else if (path && src)
		n = snprintf(dst, size, " 0x%016llx [%s+%#llx/%#llx] at %s:%u\n", a, path, off, len, src, line);
	else if (name && path)
		n = snprintf(dst, size, " 0x%016llx : %s+%#llx/%#llx [%s]\n", a, name, off, len, path);
	else if (name)
		n = snprintf(dst, size, " 0x%016llx : %s+%#llx/%#llx\n", a, name, off, len);
	else if (path)
		n = snprintf(dst, size, " 0x%016llx [%s+%#llx/%#llx]\n", a, path, off, len);
	else
		n = snprintf(dst, size, " 0x%016llx\n", a);
	return n;
}

size_t utap_usym_format(char *dst, size_t size, uint64_t addr, enum utap_sym_form form)
{
	char buf[256];
	struct utap_place place;
	const struct utap_symbol *sym = NULL;
	const struct utap_line_row *row = NULL;
	const char *name = NULL, *path = NULL, *base, *why, *src = NULL;
	unsigned long long a = addr, off = 0, len = 0;
	uint64_t symsize = 0;
	int n;

	if (!size)
		return 0;
	if (form != UTAP_SYM_HEX && utap_place_find(addr, &place, buf, sizeof(buf), &why)) {
		path = place.path;
		if (place.file)
			sym = utap_symbol_find(place.file, place.offset, &symsize);
		if (sym) {
			name = place.file->names + sym->name;
			off = place.offset - sym->start;
			len = symsize;
		} else if (path) {
			off = addr - place.vm_start;
			len = place.vm_end - place.vm_start;
		}
		if (form == UTAP_SYM_FULLER && place.file && place.file->nlines)
			row = utap_line_find(place.file, place.offset);
		if (row)
			src = place.file->line_files + row->file;
	}
	base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path;
	switch (form) {
	case UTAP_SYM_NAME:
		n = name ? snprintf(dst, size, "%s", name) : snprintf(dst, size, "0x%016llx", a);
		break;
	case UTAP_SYM_DATA:
		if (name && path)
			n = snprintf(dst, size, "%s+%#llx/%#llx [%s]", name, off, len, path);
		else if (path)
			n = snprintf(dst, size, "0x%016llx [%s+%#llx/%#llx]", a, path, off, len);
		else
			n = snprintf(dst, size, "0x%016llx", a);
		break;
	case UTAP_SYM_FULL:
		if (name && path)
			n = snprintf(dst, size, " 0x%016llx : %s+%#llx/%#llx [%s]\n", a, name, off, len, path);
		else if (path)
			n = snprintf(dst, size, " 0x%016llx [%s+%#llx/%#llx]\n", a, path, off, len);
		else
			n = snprintf(dst, size, " 0x%016llx\n", a);
		break;
	case UTAP_SYM_FULLER:
		n = fuller(dst, size, a, name, off, len, path, src, row ? row->line : 0);
		break;
	case UTAP_SYM_SIMPLE:
		if (name && path)
			n = snprintf(dst, size, "%s+%#llx [%s]\n", name, off, base);
		else if (path)
			n = snprintf(dst, size, "0x%016llx [%s+%#llx]\n", a, base, off);
		else
			n = snprintf(dst, size, "0x%016llx\n", a);
		break;
	case UTAP_SYM_BRIEF:
		n = name ? snprintf(dst, size, "%s+%#llx\n", name, off) : snprintf(dst, size, "0x%016llx\n", a);
		break;
	case UTAP_SYM_HEX:
	default:
		n = snprintf(dst, size, "0x%016llx ", a);
		break;
	}
	return n < 0 ? 0 : min_t(size_t, n, size - 1);
}

size_t utap_usym_line(char *dst, size_t size, uint64_t addr, enum utap_line_form form)
{
	struct utap_place place;
	const struct utap_line_row *row = NULL;
	const char *why, *file;
	int n;

	if (!size)
		return 0;
	if (utap_place_find(addr, &place, NULL, 0, &why) && place.file && place.file->nlines)
		row = utap_line_find(place.file, place.offset);
	if (!row) {
		n = snprintf(dst, size, "0x%016llx", (unsigned long long)addr);
		return n < 0 ? 0 : min_t(size_t, n, size - 1);
	}
	file = place.file->line_files + row->file;
	switch (form) {
	case UTAP_LINE_FILE:
		n = snprintf(dst, size, "%s", file);
		break;
	case UTAP_LINE_LINE:
		n = snprintf(dst, size, "%u", row->line);
		break;
	case UTAP_LINE_FILELINE:
	default:
		n = snprintf(dst, size, "%s:%u", file, row->line);
		break;
	}
	return n < 0 ? 0 : min_t(size_t, n, size - 1);
}
