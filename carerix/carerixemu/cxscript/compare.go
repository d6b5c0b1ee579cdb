package cxscript

import (
	"strconv"
	"strings"
)

// compare applies a comparison operator. Two numbers compare numerically;
// anything else compares as strings. like matches * (any run) and ?
// (one character); caseinsensitivelike does so ignoring case.
func compare(a, op, b string) bool {
	switch op {
	case "like":
		return likeMatch(a, b)
	case "caseinsensitivelike":
		return likeMatch(strings.ToLower(a), strings.ToLower(b))
	}
	c := 0
	fa, errA := strconv.ParseFloat(strings.TrimSpace(a), 64)
	fb, errB := strconv.ParseFloat(strings.TrimSpace(b), 64)
	switch {
	case errA == nil && errB == nil:
		switch {
		case fa < fb:
			c = -1
		case fa > fb:
			c = 1
		}
	default:
		c = strings.Compare(a, b)
	}
	switch op {
	case "=", "==":
		return c == 0
	case "!=", "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// likeMatch matches s against a pattern with * and ? wildcards, by runes.
// It runs in O(len(s)*len(pattern)) time.
func likeMatch(s, pattern string) bool {
	str, pat := []rune(s), []rune(pattern)
	si, pi := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(pat) && (pat[pi] == '?' || pat[pi] == str[si]):
			si++
			pi++
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}
