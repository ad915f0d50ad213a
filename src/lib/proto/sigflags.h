/* SPDX-License-Identifier: MIT */
/*
 * Flags of cancel_req.flags (scancel), job_signal.flags (controller to
 * node) and job_complete.flags (node to controller).
 */
#ifndef HERD_SIGFLAGS_H
#define HERD_SIGFLAGS_H

/* cancel_req.flags */
#define CANCEL_BATCH_ONLY 0x1U /* -b: the batch shell only */
#define CANCEL_FULL 0x2U /* -f: batch shell and all steps */
#define CANCEL_FULL_KILL 0x4U /* -s KILL with cancel semantics (internal) */

/* job_signal.flags */
#define SIGNAL_KILL_JOB 0x100U /* end the job: SIGCONT, signal, KillWait, SIGKILL */

/* job_complete.flags */
#define COMPLETE_LAUNCH_FAILED 0x1U
#define COMPLETE_OOM 0x2U

#endif
