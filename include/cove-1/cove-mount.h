/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "cove-macros.h"
#include "cove-container.h"

G_BEGIN_DECLS

G_END_DECLS
