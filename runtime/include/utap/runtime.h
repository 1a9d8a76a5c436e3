/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything generated C may call: the one header pass 3 includes.
 */
#ifndef UTAP_RUNTIME_H
#define UTAP_RUNTIME_H

#include "utap/arith.h"
#include "utap/base.h"
#include "utap/format.h"
#include "utap/limit_defaults.h"
#include "utap/fp.h"
#include "utap/lock.h"
#include "utap/map.h"
#include "utap/procfs.h"
#include "utap/regex.h"
#include "utap/session.h"
#include "utap/stat.h"
#include "utap/strings.h"
#include "utap/tapset_support.h"
#include "utap/unwind.h"
#include "utap/uprobes.h"

#endif /* UTAP_RUNTIME_H */
