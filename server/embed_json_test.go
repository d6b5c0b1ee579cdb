package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

type httpRequest = http.Request

func newRequest(method, target string) *http.Request { return httptest.NewRequest(method, target, nil) }
