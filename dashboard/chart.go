package dashboard

import (
	"strconv"
	"strings"
)

// Charts are drawn server-side as inline SVG. This file computes their
// geometry only; the server renders it through SVG partials of package
// templates, which escape every text and attribute.

// Chart geometry, in SVG user units.
const (
	ChartWidth  = 640
	TrendHeight = 200
	padL, padB  = 36, 24
	padT, padR  = 10, 8
	barRow      = 26
	barLabelW   = 200
)

// Series is one line of a trend chart.
type Series struct {
	Name   string
	Class  string // CSS class: "in" or "out"
	Values []int
}

// TrendChart is a line chart's geometry.
type TrendChart struct {
	Width, Height int
	AxisY         int    // the y of the x axis
	Max           int    // the top of the y axis
	Lines         []Line // one per series
	Labels        []Label
}

// Line is one polyline.
type Line struct {
	Name, Class string
	Points      string // "x,y x,y ..."
	Values      string // the series' values, "0,4,2", for readers of the page
}

// Label is a text at a position.
type Label struct {
	X, Y string
	Text string
}

// Trend lays out series over labels (one label per point; about six are
// shown).
func Trend(labels []string, series []Series) TrendChart {
	c := TrendChart{Width: ChartWidth, Height: TrendHeight, AxisY: TrendHeight - padB, Max: 1}
	for _, s := range series {
		for _, v := range s.Values {
			c.Max = max(c.Max, v)
		}
	}
	n := len(labels)
	x := func(i int) float64 {
		if n <= 1 {
			return padL
		}
		return padL + float64(i)*float64(ChartWidth-padL-padR)/float64(n-1)
	}
	y := func(v int) float64 {
		return float64(TrendHeight-padB) - float64(v)*float64(TrendHeight-padB-padT)/float64(c.Max)
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
	step := max(1, (n+5)/6)
	for i := 0; i < n; i += step {
		c.Labels = append(c.Labels, Label{X: num(x(i)), Y: strconv.Itoa(TrendHeight - 6), Text: labels[i]})
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
	Width, Height int
	Bars          []BarGeometry
}

// BarGeometry places one bar.
type BarGeometry struct {
	Bar
	LabelText   string // Label, shortened to fit
	Y, TextY    string
	X, W, NoteX string
}

// Bars lays out bars, one row each.
func Bars(bars []Bar) BarChart {
	c := BarChart{Width: ChartWidth, Height: max(barRow, barRow*len(bars)) + 4}
	maxV := 1
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	for i, b := range bars {
		top := i*barRow + 2
		w := float64(b.Value) * float64(ChartWidth-barLabelW-120) / float64(maxV)
		c.Bars = append(c.Bars, BarGeometry{Bar: b, LabelText: truncate(b.Label, 28),
			Y: strconv.Itoa(top + 3), TextY: strconv.Itoa(top + 16),
			X: strconv.Itoa(barLabelW), W: num(w), NoteX: num(barLabelW + w + 6)})
	}
	return c
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
