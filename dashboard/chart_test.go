package dashboard_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/recrubo/recrubo-carerix/dashboard"
)

func TestChartGeometry(t *testing.T) {
	c := dashboard.Trend([]string{"a", "b", "c"}, []dashboard.Series{{Name: "n", Class: "out", Values: []int{0, 4, 2}}})
	if c.Max != 4 || c.Lines[0].Points != "0.0,160.0 320.0,6.0 640.0,83.0" || strings.Join(c.Labels, ",") != "a,b,c" {
		t.Errorf("trend = %+v", c)
	}
	b := dashboard.Bars([]dashboard.Bar{{Label: "Heel lange vacaturetitel voor een chauffeur", Value: 2}, {Label: "b", Value: 1}})
	if b.Bars[0].Percent != "100.0" || b.Bars[1].Percent != "50.0" || b.Bars[0].Label != "Heel lange vacaturetitel voor een chauffeur" {
		t.Errorf("bars = %+v", b.Bars)
	}
}

// TestTrendLabels: a trend names at most seven dates, an odd number, the
// first and the last among them, evenly spaced.
func TestTrendLabels(t *testing.T) {
	days := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "d" + strconv.Itoa(i)
		}
		return out
	}
	for n, want := range map[int]string{
		1: "d0", 2: "d0", 4: "d0,d2,d3", 7: "d0,d1,d2,d3,d4,d5,d6",
		30: "d0,d5,d10,d15,d19,d24,d29", 90: "d0,d15,d30,d45,d59,d74,d89",
	} {
		got := strings.Join(dashboard.Trend(days(n), nil).Labels, ",")
		if got != want {
			t.Errorf("%d days: labels %s, want %s", n, got, want)
		}
	}
}
