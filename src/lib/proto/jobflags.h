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
#define JOB_DESC_NO_KILL_INV_DEP 0x0200U /* --kill-on-invalid-dep=no */
#define JOB_DESC_EXCLUSIVE_USER 0x0400U /* --exclusive=user: share nodes only with own jobs */
#define JOB_DESC_EXCLUSIVE_MCS 0x0800U /* --exclusive=mcs */
#define JOB_DESC_CONTIGUOUS 0x1000U /* --contiguous */
#define JOB_DESC_NO_KILL 0x2000U /* -k/--no-kill: keep the job when a node fails */
#define JOB_DESC_GET_USER_ENV 0x4000U /* --get-user-env */

/* job_info_req.flags */
#define JOB_INFO_ALL 0x1U /* include hidden partitions */
#define JOB_INFO_ACTIVE 0x2U /* only jobs not finished (or still completing) */

#define OPEN_MODE_DEFAULT 0
#define OPEN_MODE_APPEND 1
#define OPEN_MODE_TRUNCATE 2

/* job_desc.warn_flags (--signal=[{R|B}:]sig[@secs]); warn_signal 0 = none */
#define WARN_FLAG_BATCH 0x1U /* B: only the batch shell */
#define WARN_FLAG_RESV 0x2U /* R: also before a reservation ends */

/* acct_job.flags: the record carries only the steps that changed since
 * the previous record of this job (stored ones are kept and updated);
 * without it the record's steps are all of them.  Not stored. */
#define ACCT_JOB_STEPS_PARTIAL 0x1U

/* job_desc.priority for --priority=TOP */
#define JOB_DESC_PRIORITY_TOP 0xfffffffdU

#endif
