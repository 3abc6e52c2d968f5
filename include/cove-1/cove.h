/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#define __COVE_H_INSIDE__

#include "cove-macros.h"
#include "cove-version.h"
#include "cove-error.h"
#include "cove-log.h"
#include "cove-context.h"
#include "cove-container.h"
#include "cove-console.h"
#include "cove-mount.h"
#include "cove-seccomp.h"

#undef __COVE_H_INSIDE__
