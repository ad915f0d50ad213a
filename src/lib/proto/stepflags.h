/* SPDX-License-Identifier: MIT */
/*
 * Flags and codes of job steps (srun, herdstepd, herdctld).
 */
#ifndef HERD_STEPFLAGS_H
#define HERD_STEPFLAGS_H

/* step_create_req.flags */
#define STEP_F_OVERLAP 0x1U /* --overlap: share CPUs with other steps */
#define STEP_F_EXACT 0x2U /* --exact: only the CPUs asked for */
#define STEP_F_EXCLUSIVE 0x4U /* --exclusive inside an allocation */
#define STEP_F_NTASKS_SET 0x8U /* -n given (or inherited) */
#define STEP_F_NODES_SET 0x10U /* -N given (or inherited) */
#define STEP_F_CPT_SET 0x20U /* -c given */
#define STEP_F_IMMEDIATE 0x40U /* fail instead of waiting for CPUs */

/* step_create_req.distribution */
#define STEP_DIST_DEFAULT 0 /* block when tasks > nodes, else cyclic */
#define STEP_DIST_BLOCK 1
#define STEP_DIST_CYCLIC 2
#define STEP_DIST_PLANE 3
#define STEP_DIST_ARBITRARY 4
#define STEP_DIST_PACK 0x100U /* block,Pack: fill each node first */

/* step_launch.flags */
#define LAUNCH_LABEL 0x1U
#define LAUNCH_UNBUFFERED 0x2U
#define LAUNCH_PTY 0x4U
#define LAUNCH_KILL_BAD_EXIT 0x8U
#define LAUNCH_MULTI_PROG 0x10U

/* step_launch.stdin_task: a rank, or one of these */
#define STDIN_NONE 0xffffffffU
#define STDIN_ALL 0xfffffffeU

/* io_ctl.kind */
#define IO_CTL_SIGNAL 1 /* srun -> stepd: seq = signal number */
#define IO_CTL_STDIN_ACK 2 /* stepd -> srun: seq = stdin bytes delivered */
#define IO_CTL_NODE_DONE 3 /* stepd -> srun: every task here ended and was reported */
#define IO_CTL_MPI 0x10 /* + mpi_pmix kind; node = destination / source node */
#define IO_CTL_CANCEL 4 /* srun -> stepd: the step is cancelled (Ctrl-C twice) */
#define IO_CTL_WINSIZE 5 /* srun -> stepd (--pty): seq = rows << 16 | cols */

#endif
