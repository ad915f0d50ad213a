/* SPDX-License-Identifier: MIT */
/*
 * Bits of job_desc.flags and values of job_desc.open_mode.
 */
#ifndef HERD_JOBFLAGS_H
#define HERD_JOBFLAGS_H

#define JOB_DESC_HOLD 0x0001U
#define JOB_DESC_EXCLUSIVE 0x0002U
#define JOB_DESC_REQUEUE_SET 0x0004U /* --requeue or --no-requeue given */
#define JOB_DESC_REQUEUE 0x0008U
#define JOB_DESC_KILL_INV_DEP 0x0010U
#define JOB_DESC_OVERSUBSCRIBE 0x0020U
#define JOB_DESC_NTASKS_SET 0x0040U
#define JOB_DESC_CPT_SET 0x0080U
#define JOB_DESC_WAIT 0x0100U
#define JOB_DESC_NO_KILL_INV_DEP 0x0200U

#define OPEN_MODE_DEFAULT 0
#define OPEN_MODE_APPEND 1
#define OPEN_MODE_TRUNCATE 2

#endif
