package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the HTTP layer's Prometheus collectors.
type httpMetrics struct {
	latency *prometheus.HistogramVec
	// observers holds latency's histogram of each label set once found
	// (read-only; a new label set replaces the map under mu): finding it
	// in the vector hashes the labels and takes the vector's read lock,
	// whose counter every core writes on every request. The label sets
	// are few (constant methods, registered routes, status classes).
	observers atomic.Pointer[map[labelSet]prometheus.Observer]
	mu        sync.Mutex
}

// labelSet is the latency histogram's labels of one request.
type labelSet struct{ method, route, status string }

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "recrubo_http_request_duration_seconds",
			Help:    "HTTP request latency by method, route pattern and status class.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route", "status"}),
	}
	if err := reg.Register(m.latency); err != nil {
		return nil, err
	}
	return m, nil
}

func (m *httpMetrics) observe(method, route, status string, d time.Duration) {
	k := labelSet{method, route, status}
	if known := m.observers.Load(); known != nil {
		if o, ok := (*known)[k]; ok {
			o.Observe(d.Seconds())
			return
		}
	}
	o := m.latency.WithLabelValues(method, route, status)
	m.mu.Lock()
	next := map[labelSet]prometheus.Observer{k: o}
	if known := m.observers.Load(); known != nil {
		for l, ko := range *known {
			next[l] = ko
		}
	}
	m.observers.Store(&next)
	m.mu.Unlock()
	o.Observe(d.Seconds())
}
