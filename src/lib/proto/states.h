/* SPDX-License-Identifier: MIT */
/*
 * Job and node states, pending reasons and error codes, each defined once
 * as a table with the exact names Slurm prints.
 */
#ifndef HERD_STATES_H
#define HERD_STATES_H

#include <stdint.h>

/* base job states (numeric values as stored in accounting) */
#define JOB_STATES(S) \
	S(JOB_PENDING, "PENDING", "PD") \
	S(JOB_RUNNING, "RUNNING", "R") \
	S(JOB_SUSPENDED, "SUSPENDED", "S") \
	S(JOB_COMPLETE, "COMPLETED", "CD") \
	S(JOB_CANCELLED, "CANCELLED", "CA") \
	S(JOB_FAILED, "FAILED", "F") \
	S(JOB_TIMEOUT, "TIMEOUT", "TO") \
	S(JOB_NODE_FAIL, "NODE_FAIL", "NF") \
	S(JOB_PREEMPTED, "PREEMPTED", "PR") \
	S(JOB_BOOT_FAIL, "BOOT_FAIL", "BF") \
	S(JOB_DEADLINE, "DEADLINE", "DL") \
	S(JOB_OOM, "OUT_OF_MEMORY", "OOM")

enum job_state_base {
#define S_ENUM(e, l, c) e,
	JOB_STATES(S_ENUM)
#undef S_ENUM
	    JOB_END
};

#define JOB_STATE_BASE 0xffU
/* flags, checked for display in this order */
#define JOB_COMPLETING 0x00008000U
#define JOB_CONFIGURING 0x00004000U
#define JOB_RESIZING 0x00002000U
#define JOB_REQUEUE 0x00000400U
#define JOB_REQUEUE_HOLD 0x00000800U
#define JOB_SPECIAL_EXIT 0x00001000U
#define JOB_STOPPED 0x00010000U
#define JOB_SIGNALING 0x00040000U
#define JOB_LAUNCH_FAILED 0x00000100U

const char *job_state_string(uint32_t state); /* long, with flag rule */
const char *job_state_string_compact(uint32_t state); /* PD, R, CG ... */
const char *job_state_base_string(uint32_t state);
/* parse long or compact name, case-insensitive; -1 if unknown.  Flags
 * (COMPLETING/CG ...) return their flag bit ORed with 0x80000000. */
int64_t job_state_parse(const char *s);
int job_state_is_finished(uint32_t state);

/* pending / completion reasons */
#define JOB_REASONS(R) \
	R(WAIT_NO_REASON, "None") \
	R(WAIT_PRIORITY, "Priority") \
	R(WAIT_DEPENDENCY, "Dependency") \
	R(WAIT_RESOURCES, "Resources") \
	R(WAIT_PART_NODE_LIMIT, "PartitionNodeLimit") \
	R(WAIT_PART_TIME_LIMIT, "PartitionTimeLimit") \
	R(WAIT_PART_DOWN, "PartitionDown") \
	R(WAIT_PART_INACTIVE, "PartitionInactive") \
	R(WAIT_HELD, "JobHeldAdmin") \
	R(WAIT_HELD_USER, "JobHeldUser") \
	R(WAIT_TIME, "BeginTime") \
	R(WAIT_ARRAY_TASK_LIMIT, "JobArrayTaskLimit") \
	R(WAIT_DEP_INVALID, "DependencyNeverSatisfied") \
	R(WAIT_NODE_NOT_AVAIL, "ReqNodeNotAvail") \
	R(WAIT_NODE_DOWN, "NodeDown") \
	R(WAIT_CLEANING, "Cleaning") \
	R(WAIT_SCHEDULING, "WaitingForScheduling") \
	R(WAIT_BAD_CONSTRAINTS, "BadConstraints") \
	R(FAIL_EXIT_CODE, "NonZeroExitCode") \
	R(FAIL_TIMEOUT, "TimeLimit") \
	R(FAIL_LAUNCH, "JobLaunchFailure") \
	R(FAIL_DOWN_NODE, "NodeDown") \
	R(FAIL_OOM, "OutOfMemory") \
	R(FAIL_SYSTEM, "SystemFailure") \
	R(FAIL_INACTIVE_LIMIT, "InactiveLimit") \
	R(FAIL_ACCOUNT, "InvalidAccount") \
	R(WAIT_PART_CONFIG, "PartitionConfig")

enum job_reason {
#define R_ENUM(e, s) e,
	JOB_REASONS(R_ENUM)
#undef R_ENUM
	    REASON_END
};
const char *job_reason_string(uint32_t reason);

/* node states */
#define NODE_STATES(S) \
	S(NODE_STATE_UNKNOWN, "UNKNOWN", "unk") \
	S(NODE_STATE_DOWN, "DOWN", "down") \
	S(NODE_STATE_IDLE, "IDLE", "idle") \
	S(NODE_STATE_ALLOCATED, "ALLOCATED", "alloc") \
	S(NODE_STATE_ERROR, "ERROR", "err") \
	S(NODE_STATE_MIXED, "MIXED", "mix") \
	S(NODE_STATE_FUTURE, "FUTURE", "futr")

enum node_state_base {
#define S_ENUM(e, l, c) e,
	NODE_STATES(S_ENUM)
#undef S_ENUM
	    NODE_STATE_END
};
#define NODE_STATE_BASE 0x0fU
#define NODE_STATE_DRAIN 0x0200U
#define NODE_STATE_COMPLETING 0x0400U
#define NODE_STATE_NO_RESPOND 0x0800U
#define NODE_STATE_FAIL 0x2000U
#define NODE_STATE_MAINT 0x8000U
#define NODE_STATE_INVALID_REG 0x10000U

/* "IDLE", "IDLE+DRAIN", "DOWN+NOT_RESPONDING" (scontrol) */
const char *node_state_string_long(uint32_t state, char *buf, unsigned len);
/* sinfo %t: idle, drain, drng, down*, alloc+ ... */
const char *node_state_string_compact(uint32_t state, char *buf, unsigned len);
/* sinfo %T: idle, drained, draining, down*, allocated ... */
const char *node_state_string_sinfo_long(uint32_t state, char *buf, unsigned len);

/* error codes: E(code, name, message) -- messages are Slurm's wording */
#define HERD_ERRORS(E) \
	E(0, HERD_SUCCESS, "No error") \
	E(2000, ESLURM_INVALID_PARTITION_NAME, "Invalid partition name specified") \
	E(2001, ESLURM_DEFAULT_PARTITION_NOT_SET, "No partition specified or system default partition") \
	E(2002, ESLURM_ACCESS_DENIED, "Access/permission denied") \
	E(2003, ESLURM_JOB_MISSING_REQUIRED_PARTITION_GROUP, \
	    "User's group not permitted to use this partition") \
	E(2004, ESLURM_REQUESTED_NODES_NOT_IN_PARTITION, "Requested nodes not in this partition") \
	E(2005, ESLURM_TOO_MANY_REQUESTED_CPUS, "More processors requested than permitted") \
	E(2006, ESLURM_INVALID_NODE_COUNT, "Node count specification invalid") \
	E(2008, ESLURM_INVALID_NODE_NAME, "Invalid node name specified") \
	E(2009, ESLURM_INVALID_TIME_LIMIT, \
	    "Requested time limit is invalid (missing or exceeds some limit)") \
	E(2010, ESLURM_INVALID_JOB_ID, "Invalid job id specified") \
	E(2011, ESLURM_DUPLICATE_JOB_ID, "Duplicate job id") \
	E(2014, ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE, "Requested node configuration is not available") \
	E(2015, ESLURM_REQUESTED_PART_CONFIG_UNAVAILABLE, \
	    "Requested partition configuration not available now") \
	E(2016, ESLURM_ALREADY_DONE, "Job/step already completing or completed") \
	E(2017, ESLURM_INTERCONNECT_FAILURE, "Error configuring interconnect") \
	E(2019, ESLURM_JOB_PENDING, "Job is pending execution") \
	E(2020, ESLURM_DISABLED, "Requested operation is presently disabled") \
	E(2021, ESLURM_DEPENDENCY, "Job dependency problem") \
	E(2022, ESLURM_BATCH_ONLY, "Only batch jobs are accepted or processed") \
	E(2023, ESLURM_TASKDIST_ARBITRARY_UNSUPPORTED, "Unsupported task distribution") \
	E(2028, ESLURM_INVALID_TASK_MEMORY, "Memory required by task is not available") \
	E(2029, ESLURM_INVALID_ACCOUNT, "Invalid account or account/partition combination specified") \
	E(2031, ESLURM_INVALID_QOS, "Invalid qos specification") \
	E(2035, ESLURM_JOB_NOT_PENDING, "Job is no longer pending execution") \
	E(2037, ESLURM_PATHNAME_TOO_LONG, "Pathname of a file, directory or other parameter too long") \
	E(2038, ESLURM_NOT_SUPPORTED, "Requested operation not supported on this system") \
	E(2044, ESLURM_INVALID_FEATURE, "Invalid feature specification") \
	E(2045, ESLURM_BAD_DIST, "Task distribution specification invalid") \
	E(2046, ESLURM_NODES_BUSY, "Requested nodes are busy") \
	E(2047, ESLURM_TRANSITION_STATE_NO_UPDATE, "Job is in a transitional state and can not be updated") \
	E(2051, ESLURM_INVALID_ARRAY, "Invalid job array specification") \
	E(2052, ESLURM_JOB_NOT_RUNNING, "Job is not running") \
	E(2053, ESLURM_JOB_NOT_SUSPENDED, "Job is not suspended") \
	E(2057, ESLURM_JOB_NOT_HELD, "Job not held") \
	E(2065, ESLURM_REQUESTED_TOPO_CONFIG_UNAVAILABLE, "Requested topo configuration is not available") \
	E(2071, ESLURM_INVALID_NODE_STATE, "Invalid node state specified") \
	E(2100, ESLURM_INVALID_TIME_VALUE, "Invalid time specified") \
	E(2200, ESLURM_NOT_TOP_PRIORITY, "Job not top priority") \
	E(4007, ESLURMD_INVALID_JOB_CREDENTIAL, "Invalid job credential") \
	E(4008, ESLURMD_CREDENTIAL_EXPIRED, "Job credential expired") \
	E(3000, ESLURM_REJECTED_MAX_JOBS, "Slurm temporarily unable to accept job, sleeping and retrying") \
	E(6000, HERD_EPROTO, "Protocol data is malformed") \
	E(6001, HERD_EAUTH, "Protocol authentication error") \
	E(6002, HERD_EVERSION, "Protocol version has changed, re-link your code") \
	E(6003, HERD_EUNKNOWN_MSG, "Unexpected message received") \
	E(6004, HERD_EINTERNAL, "Unspecified error") \
	E(6005, HERD_ESTATE, "Unable to save state") \
	E(6006, HERD_ECONN, "Unable to contact slurm controller (connect failure)")

enum herd_err {
#define E_ENUM(c, n, m) n = c,
	HERD_ERRORS(E_ENUM)
#undef E_ENUM
};
const char *herd_strerror(int code);

#endif
