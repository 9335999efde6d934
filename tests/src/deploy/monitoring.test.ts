import { describe, expect, test } from 'vitest';
import { exportedMetricNames, metricNamesIn, unknownMetrics } from './promql-metrics.ts';
import { parseYaml, readRepoFile } from './repo-files.ts';

const DIR = 'k8s/components/monitoring';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleGroup {
  name: string;
  rules: Rule[];
}

const rulesFile = parseYaml(readRepoFile(`${DIR}/alert-rules.yml`), 'alert-rules.yml') as {
  groups: RuleGroup[];
};
const prometheusRule = parseYaml(readRepoFile(`${DIR}/prometheus-rule.yaml`), 'prometheus-rule.yaml') as {
  kind: string;
  spec: { groups: RuleGroup[] };
};
const dashboard = JSON.parse(readRepoFile(`${DIR}/lfsync-dashboard.json`)) as {
  panels: Array<{ id: number; title: string; targets: Array<{ expr: string }> }>;
};

const rules = rulesFile.groups.flatMap((g) => g.rules);
const ruleExprs = rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }));
const panelExprs = dashboard.panels.flatMap((p) =>
  p.targets.map((t) => ({ where: `panel ${p.title}`, expr: t.expr })),
);

describe('alert rules and the Grafana dashboard', () => {
  test('use only metrics the services export (or a named external source), in valid PromQL', async () => {
    const exported = await exportedMetricNames();
    expect(unknownMetrics([...ruleExprs, ...panelExprs], exported)).toEqual([]);
  });

  test('the check catches a misspelt metric and a syntax error', async () => {
    const exported = await exportedMetricNames();
    const typo = [{ where: 'typo', expr: 'max(persister_consumer_pendng) > 1' }];
    expect(unknownMetrics(typo, exported)).toEqual(['typo: persister_consumer_pendng']);
    expect(() => metricNamesIn('sum(rate(gateway_rejections_total[5m])')).toThrow(/syntax error/);
  });

  test('alert on consumer lag, JetStream storage, broadcast lag, ack p99, rejections and readiness', () => {
    const used = (alert: Rule) => metricNamesIn(alert.expr);
    const covered = new Set(rules.flatMap(used));
    for (const metric of [
      'persister_consumer_pending',
      'kubelet_volume_stats_used_bytes',
      'gateway_broadcast_lag_seconds_bucket',
      'gateway_push_ack_duration_seconds_bucket',
      'gateway_rejections_total',
      'sequencer_request_failures_total',
      'up',
      'kube_pod_status_ready',
    ])
      expect(covered, metric).toContain(metric);
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+m$/);
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.['severity']);
      expect(rule.annotations?.['summary'], rule.alert).toBeTruthy();
    }
  });

  test('the PrometheusRule for Kubernetes holds the same groups as the compose profile rules file', () => {
    expect(prometheusRule.kind).toBe('PrometheusRule');
    expect(prometheusRule.spec.groups).toEqual(rulesFile.groups);
  });

  test('every dashboard panel has a query and a unique id', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect(panel.targets.length, panel.title).toBeGreaterThan(0);
  });
});
