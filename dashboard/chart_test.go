package dashboard_test

import (
	"testing"

	"github.com/recrubo/recrubo-carerix/dashboard"
)

func TestChartGeometry(t *testing.T) {
	c := dashboard.Trend([]string{"a", "b", "c"}, []dashboard.Series{{Name: "n", Class: "out", Values: []int{0, 4, 2}}})
	if c.Max != 4 || c.Lines[0].Points != "36.0,176.0 334.0,10.0 632.0,93.0" || len(c.Labels) != 3 {
		t.Errorf("trend = %+v", c)
	}
	b := dashboard.Bars([]dashboard.Bar{{Label: "Heel lange vacaturetitel voor een chauffeur", Value: 2}, {Label: "b", Value: 1}})
	if b.Bars[0].W != "320.0" || b.Bars[1].W != "160.0" || b.Bars[0].LabelText != "Heel lange vacaturetitel vo…" {
		t.Errorf("bars = %+v", b.Bars)
	}
}
