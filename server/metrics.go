package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the HTTP layer's Prometheus collectors.
type httpMetrics struct {
	latency *prometheus.HistogramVec
}

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
	m.latency.WithLabelValues(method, route, status).Observe(d.Seconds())
}
