package dashboard

import (
	"strconv"
	"strings"
)

// Charts are drawn server-side: the lines and bars as inline SVG that
// stretches to the width of its box, every text (axis values, dates, bar
// labels and notes) as HTML beside it, so labels keep their size at any
// width and are never cut. This file computes the geometry only; the
// server renders it through partials of package templates, which escape
// every text and attribute.

// Trend plot geometry, in SVG user units. The plot is drawn with
// preserveAspectRatio="none": x spans the period, y the values.
const (
	ChartWidth  = 640
	TrendHeight = 160
	padT        = 6 // room for the line's stroke at the top
)

// maxTrendLabels is how many dates at most a trend chart names: an odd
// number, so that every other one (what a narrow frame shows) still
// includes the first and the last.
const maxTrendLabels = 7

// Series is one line of a trend chart.
type Series struct {
	Name   string
	Class  string // CSS class: "in" or "out"
	Values []int
}

// TrendChart is a line chart's geometry.
type TrendChart struct {
	Width, Height int
	Max           int    // the top of the y axis
	Lines         []Line // one per series
	// Labels are the dates named below the plot, evenly spaced from the
	// first point to the last.
	Labels []string
}

// Line is one polyline.
type Line struct {
	Name, Class string
	Points      string // "x,y x,y ..."
	Values      string // the series' values, "0,4,2", for readers of the page
}

// Trend lays out series over labels (one label per point; up to
// maxTrendLabels of them are named).
func Trend(labels []string, series []Series) TrendChart {
	c := TrendChart{Width: ChartWidth, Height: TrendHeight, Max: 1}
	for _, s := range series {
		for _, v := range s.Values {
			c.Max = max(c.Max, v)
		}
	}
	n := len(labels)
	x := func(i int) float64 {
		if n <= 1 {
			return 0
		}
		return float64(i) * float64(ChartWidth) / float64(n-1)
	}
	y := func(v int) float64 {
		return float64(TrendHeight) - float64(v)*float64(TrendHeight-padT)/float64(c.Max)
	}
	for _, s := range series {
		var b strings.Builder
		values := make([]string, len(s.Values))
		for i, v := range s.Values {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(x(i)) + "," + num(y(v)))
			values[i] = strconv.Itoa(v)
		}
		c.Lines = append(c.Lines, Line{Name: s.Name, Class: s.Class, Points: b.String(), Values: strings.Join(values, ",")})
	}
	m := min(n, maxTrendLabels)
	if m%2 == 0 && m > 1 {
		m-- // odd, see maxTrendLabels
	}
	for k := range m {
		i := 0
		if m > 1 {
			i = (k*(n-1) + (m-1)/2) / (m - 1) // k/(m-1) of the way, rounded
		}
		c.Labels = append(c.Labels, labels[i])
	}
	return c
}

// Bar is one bar of a bar chart.
type Bar struct {
	Label string
	Value int
	Note  string // shown after the bar, e.g. "12 (50 %)"
}

// BarChart is a horizontal bar chart's geometry.
type BarChart struct {
	Bars []BarGeometry
}

// BarGeometry sizes one bar.
type BarGeometry struct {
	Bar
	// Percent is the bar's length as a share of the longest, "0.0" to
	// "100.0".
	Percent string
}

// Bars sizes bars against the largest value, one row each.
func Bars(bars []Bar) BarChart {
	var c BarChart
	maxV := 1
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	for _, b := range bars {
		c.Bars = append(c.Bars, BarGeometry{Bar: b, Percent: num(float64(b.Value) * 100 / float64(maxV))})
	}
	return c
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
