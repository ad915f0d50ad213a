/* SPDX-License-Identifier: MIT */
/*
 * part_info.flags bits (herdctld -> sinfo, scontrol show partition).
 * The first three are fixed; the others are the obvious extension for the
 * remaining YES/NO keys of the partition record (unset = NO).
 */
#ifndef HERD_PARTFLAGS_H
#define HERD_PARTFLAGS_H

#define PART_FLAG_DEFAULT 0x01
#define PART_FLAG_HIDDEN 0x02
#define PART_FLAG_ROOT_ONLY 0x04
#define PART_FLAG_EXCLUSIVE_USER 0x08
#define PART_FLAG_LLN 0x10
#define PART_FLAG_REQ_RESV 0x20
#define PART_FLAG_NO_ROOT 0x40 /* DisableRootJobs */

#endif
