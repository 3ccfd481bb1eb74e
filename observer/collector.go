package observer

import (
	"github.com/prometheus/client_golang/prometheus"
)

// collector exports the observer's counters, read from the BPF maps at
// scrape time (as node_exporter's collectors do) rather than copied into
// metrics on a timer.
type collector struct {
	o       *Observer
	events  *prometheus.Desc
	created *prometheus.Desc
	drained *prometheus.Desc
	evicted *prometheus.Desc
	drops   *prometheus.Desc
	noProc  *prometheus.Desc
	fill    *prometheus.Desc
	size    *prometheus.Desc
}

// NewCollector returns a Prometheus collector for o's counters. Register it
// with the agent's registry; it reads the per-CPU BPF counters on each
// scrape.
func NewCollector(o *Observer) prometheus.Collector {
	name := func(n string) string { return prometheus.BuildFQName("netpol_advisor", "observer", n) }
	return &collector{
		o: o,
		events: prometheus.NewDesc(name("bpf_events_total"),
			"Connections, failed connects and UDP datagrams (with their ICMP errors) the BPF programs recorded.", nil, nil),
		created: prometheus.NewDesc(name("bpf_flows_created_total"),
			"Entries inserted in the kernel's flow table.", nil, nil),
		drained: prometheus.NewDesc(name("flow_records_drained_total"),
			"Flow records read from the kernel's flow table.", nil, nil),
		evicted: prometheus.NewDesc(name("bpf_flows_evicted_total"),
			"Flows the full kernel table evicted before they were read (a lower bound); raise the table size if this grows.", nil, nil),
		drops: prometheus.NewDesc(name("bpf_drops_total"),
			"Events the BPF programs could not record, by reason.", []string{"reason"}, nil),
		noProc: prometheus.NewDesc(name("bpf_connects_without_process_total"),
			"Connects whose process name was no longer known when they completed.", nil, nil),
		fill: prometheus.NewDesc(name("flow_table_entries"),
			"Records the last drain found in the kernel's flow table (its fill between two drains).", nil, nil),
		size: prometheus.NewDesc(name("flow_table_capacity_entries"),
			"Records the kernel's flow table holds at most (--max-flows); past it flows are evicted before they are read.", nil, nil),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.events, c.created, c.drained, c.evicted, c.drops, c.noProc, c.fill, c.size} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s, err := c.o.Stats()
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.events, err)
		return
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(c.events, s.Events)
	counter(c.created, s.FlowsCreated)
	counter(c.drained, s.Drained)
	counter(c.evicted, s.Evicted)
	counter(c.drops, s.DropFlowUpdate, "flow_table")
	counter(c.drops, s.DropSocketStorage, "socket_storage")
	counter(c.drops, s.DropParse, "unparsed_packet")
	counter(c.drops, s.DropNotify, "notification_ring")
	counter(c.noProc, s.ConnectsWithoutProcess)
	entries, capacity := c.o.TableFill()
	ch <- prometheus.MustNewConstMetric(c.fill, prometheus.GaugeValue, float64(entries))
	ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(capacity))
}
