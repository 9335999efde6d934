import { parser } from '@prometheus-io/lezer-promql';
import { createGatewayMetrics } from '@lfsync/gateway';
import { createPersisterMetrics } from '@lfsync/persister';
import { createSequencerMetrics } from '@lfsync/sequencer';

/** Metrics the rules use that come from elsewhere, each with its source. */
const EXTERNAL_METRICS: Readonly<Record<string, string>> = {
  up: 'Prometheus (one per scrape target)',
  kubelet_volume_stats_used_bytes: 'the kubelet (JetStream volumes)',
  kubelet_volume_stats_capacity_bytes: 'the kubelet (JetStream volumes)',
  kube_pod_status_ready: 'kube-state-metrics',
};

/** Every series name the three services export (histograms as their _bucket, _sum and _count). */
export async function exportedMetricNames(): Promise<Set<string>> {
  const registries = [createGatewayMetrics(), createSequencerMetrics(), createPersisterMetrics()].map(
    (m) => m.registry,
  );
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of await registry.getMetricsAsJSON()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram')
        for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    }
  }
  return names;
}

/** The metric names a PromQL expression selects; throws on a syntax error. */
export function metricNamesIn(expr: string): string[] {
  const names: string[] = [];
  const errors: number[] = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) errors.push(node.from);
      if (node.name !== 'VectorSelector') return;
      const identifier = node.node.getChild('Identifier');
      if (identifier !== null) names.push(expr.slice(identifier.from, identifier.to));
    },
  });
  if (errors.length > 0) throw new Error(`PromQL syntax error at ${errors.join(', ')} in: ${expr}`);
  return names;
}

/** `where: name` for every metric an expression uses that neither the services nor EXTERNAL_METRICS have. */
export function unknownMetrics(
  exprs: ReadonlyArray<{ where: string; expr: string }>,
  exported: ReadonlySet<string>,
): string[] {
  return exprs.flatMap(({ where, expr }) =>
    metricNamesIn(expr)
      .filter((name) => !exported.has(name) && !(name in EXTERNAL_METRICS))
      .map((name) => `${where}: ${name}`),
  );
}
