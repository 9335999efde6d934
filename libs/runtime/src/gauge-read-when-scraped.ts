import { Gauge, type Registry } from 'prom-client';

/**
 * A gauge whose value `read` gives each time /metrics is scraped: for a count a component keeps anyway,
 * registered once that component exists (it is often made after the service's metrics).
 */
export function gaugeReadWhenScraped(
  registry: Registry,
  options: { name: string; help: string },
  read: () => number,
): void {
  new Gauge({
    ...options,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
