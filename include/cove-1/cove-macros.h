/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#if !defined(__COVE_H_INSIDE__) && !defined(COVE_COMPILATION)
#error "Only <cove.h> or <cove-plugin.h> can be included directly."
#endif

#include <glib.h>

#if defined(COVE_COMPILATION)
#define COVE_API __attribute__((visibility("default"))) extern
#else
#define COVE_API extern
#endif
