package server

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the HTTP layer's Prometheus collectors.
type httpMetrics struct {
	latency *prometheus.HistogramVec

	// observers holds the latency histogram of each label set seen, so
	// that a request finds its own without hashing its labels again.
	// The label sets are few: methods, route patterns and status classes.
	mu        sync.RWMutex
	observers map[latencyLabels]prometheus.Observer
}

type latencyLabels struct{ method, route, status string }

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		observers: map[latencyLabels]prometheus.Observer{},
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
	l := latencyLabels{method, route, status}
	m.mu.RLock()
	o, ok := m.observers[l]
	m.mu.RUnlock()
	if !ok {
		o = m.latency.WithLabelValues(method, route, status)
		m.mu.Lock()
		m.observers[l] = o
		m.mu.Unlock()
	}
	o.Observe(d.Seconds())
}
