/* SPDX-License-Identifier: MIT */
/*
 * Dynamic nodes in the configuration (conf_dyn.c): a node added after
 * slurm.conf was read is found by name, joins the Nodes=ALL partitions
 * and those naming a Feature nodeset it matches (no others), takes the
 * keys of a NodeName line, and can leave and rejoin; bad or duplicate
 * names are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"

static const char conf_text[] = "ClusterName=dyn\n"
                                "SlurmctldHost=head\n"
                                "MaxNodeCount=40\n"
                                "NodeName=n[1-2] CPUs=2\n"
                                "PartitionName=all Nodes=ALL Default=YES\n"
                                "PartitionName=fixed Nodes=n1\n";

static int
in_part(const struct herd_conf *c, const char *part, int idx)
{
	const struct conf_part *p = &c->parts[conf_part_index(c, part)];
	for (uint32_t k = 0; k < p->node_cnt; k++)
		if ((int)p->node_idx[k] == idx)
			return 1;
	return 0;
}

static void
test_add(void **state)
{
	char err[256];
	struct herd_conf *c = conf_load_string(conf_text, "slurm.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(c->max_node_count, 40);
	/* enough nodes to make the name hash and the node array grow */
	for (int i = 0; i < 35; i++) {
		char name[32];
		snprintf(name, sizeof(name), "dyn%02d", i);
		int idx = conf_node_add(c, name, i % 2 ? "CPUs=4 RealMemory=1000" : NULL, err, sizeof(err));
		assert_int_equal(idx, 2 + i);
	}
	for (int i = 0; i < 35; i++) {
		char name[32];
		snprintf(name, sizeof(name), "dyn%02d", i);
		assert_int_equal(conf_node_index(c, name), 2 + i);
		assert_true(in_part(c, "all", 2 + i));
		assert_false(in_part(c, "fixed", 2 + i));
	}
	assert_int_equal(conf_node_index(c, "n2"), 1);
	assert_int_equal(c->nodes[3].cpus, 4);
	assert_int_equal(c->nodes[3].real_memory_mb, 1000);
	assert_int_equal(c->nodes[2].cpus, 1);
	assert_string_equal(c->parts[conf_part_index(c, "fixed")].nodes_expr, "n1");
	assert_string_equal(c->parts[conf_part_index(c, "all")].nodes_expr, "n[1-2],dyn[00-34]");

	conf_node_leave_parts(c, 3);
	assert_false(in_part(c, "all", 3));
	assert_int_equal(conf_node_index(c, "dyn01"), 3);
	conf_node_join_parts(c, 3);
	conf_node_join_parts(c, 3); /* once only */
	const struct conf_part *all = &c->parts[conf_part_index(c, "all")];
	int seen = 0;
	for (uint32_t k = 0; k < all->node_cnt; k++)
		seen += all->node_idx[k] == 3;
	assert_int_equal(seen, 1);
	conf_destroy(c);
}

/* NodeSet=NAME Feature=F: a dynamic node with F joins every partition that
 * names the set (in node order), one without F does not; it leaves them
 * all and comes back. */
static void
test_nodeset_feature(void **state)
{
	char err[256];
	struct herd_conf *c = conf_load_string("ClusterName=dyn\nSlurmctldHost=head\nMaxNodeCount=40\n"
	                                       "NodeName=s[01-02] CPUs=2\n"
	                                       "NodeName=t1 CPUs=2 Features=compute\n"
	                                       "NodeSet=cs Feature=compute\n"
	                                       "NodeSet=gs Feature=gpu\n"
	                                       "PartitionName=compute Nodes=s[01-02],cs Default=YES\n"
	                                       "PartitionName=gpu Nodes=gs\n"
	                                       "PartitionName=fixed Nodes=s01\n",
	    "slurm.conf", err, sizeof(err));
	assert_non_null(c);
	assert_string_equal(c->parts[0].nodes_expr, "s[01-02],t1");
	int a = conf_node_add(c, "s03", "CPUs=2 Feature=compute", err, sizeof(err));
	int b = conf_node_add(c, "g1", "CPUs=4 Features=gpu,compute", err, sizeof(err));
	int o = conf_node_add(c, "other", "CPUs=1 Features=else", err, sizeof(err));
	assert_int_equal(a, 3);
	assert_int_equal(b, 4);
	assert_int_equal(o, 5);
	assert_string_equal(c->nodes[a].features, "compute");
	assert_true(in_part(c, "compute", a));
	assert_true(in_part(c, "compute", b));
	assert_false(in_part(c, "compute", o));
	assert_true(in_part(c, "gpu", b));
	assert_false(in_part(c, "gpu", a));
	assert_false(in_part(c, "fixed", a));
	assert_string_equal(c->parts[0].nodes_expr, "s[01-02],t1,s03,g1");
	assert_string_equal(c->parts[1].nodes_expr, "g1");
	assert_int_equal(c->parts[0].node_cnt, 5);

	conf_node_leave_parts(c, (uint32_t)a);
	assert_false(in_part(c, "compute", a));
	assert_string_equal(c->parts[0].nodes_expr, "s[01-02],t1,g1");
	conf_node_leave_parts(c, (uint32_t)b);
	assert_string_equal(c->parts[1].nodes_expr, "");
	assert_int_equal(c->parts[1].node_cnt, 0);
	/* back in node order */
	conf_node_join_parts(c, (uint32_t)a);
	assert_string_equal(c->parts[0].nodes_expr, "s[01-02],t1,s03");
	assert_int_equal(c->parts[0].node_idx[3], a);
	conf_destroy(c);
}

static void
test_refused(void **state)
{
	char err[256];
	struct herd_conf *c = conf_load_string(conf_text, "slurm.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(conf_node_add(c, "n1", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "duplicate NodeName 'n1'"));
	assert_int_equal(conf_node_add(c, "d[1-2]", NULL, err, sizeof(err)), -1);
	assert_int_equal(conf_node_add(c, "", NULL, err, sizeof(err)), -1);
	assert_int_equal(conf_node_add(c, "d1", "CPUs=x", err, sizeof(err)), -1);
	assert_int_equal(conf_node_index(c, "d1"), -1);
	assert_int_equal(c->node_cnt, 2);
	conf_destroy(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add),
	    cmocka_unit_test(test_nodeset_feature),
	    cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
