/* SPDX-License-Identifier: MIT */
/*
 * job_update_req.action values (scontrol job actions).
 */
#ifndef HERD_JOBACTIONS_H
#define HERD_JOBACTIONS_H

#define JOB_ACT_UPDATE 1
#define JOB_ACT_HOLD 2
#define JOB_ACT_UHOLD 3
#define JOB_ACT_RELEASE 4
#define JOB_ACT_REQUEUE 5
#define JOB_ACT_REQUEUEHOLD 6
#define JOB_ACT_SUSPEND 7
#define JOB_ACT_RESUME 8

#endif
